// MetricsServer over real loopback sockets, Heartbeat, and the scrape checked by promtool
// (tests/systemd/metrics_check.sh). Every server is stopped by the fixture, pass or fail.
#include "daemon/metrics/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "daemon/metrics/database_gauges.h"
#include "daemon/metrics/metrics.h"
#include "tests/storage/store_fixture.h"

namespace customsd {
namespace {

using std::chrono::milliseconds;

class MetricsServerTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    AddOne(testing::PlainOrder("ORDER-SECRET-1"));
    auto gauges = DatabaseGauges::Open(dir_.File("customsd.db"), clock_);
    ASSERT_TRUE(gauges.ok()) << gauges.status().message();
    gauges_ = std::move(gauges).value();
    metrics_.OnRequest("1230000109", "declare", OutcomeClass::kOk, milliseconds(120));
    metrics_.OnRequest("1230000109", "query", OutcomeClass::kUnknown, std::chrono::seconds(31));
    metrics_.OnTransition(Phase::kSubmit, Phase::kPoll);
    metrics_.OnPollSuccess(clock_.Now());
    server_ = std::make_unique<MetricsServer>(
        std::vector<const prometheus::Collectable*>{&metrics_, gauges_.get()}, [this] {
          return healthy_ ? Status::Ok() : Status::Unavailable("main loop last ran 75 s ago");
        });
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  int StartOrFail(const std::string& listen) {
    StatusOr<int> port = server_->Start(listen);
    EXPECT_TRUE(port.ok()) << port.status().message();
    return port.ok() ? *port : 0;
  }

  Metrics metrics_{testing::TestEpoch(), {"1230000109"}};
  std::unique_ptr<DatabaseGauges> gauges_;
  std::atomic<bool> healthy_{true};
  std::unique_ptr<MetricsServer> server_;
};

TEST_F(MetricsServerTest, ServesMetricsAndHealth) {
  const int port = StartOrFail("127.0.0.1:0");
  ASSERT_GT(port, 0);
  EXPECT_EQ(server_->port(), port);
  httplib::Client client("127.0.0.1", port);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), kMetricsContentType);
  EXPECT_NE(metrics->body.find("customsd_build_info{"), std::string::npos);
  EXPECT_NE(metrics->body.find("customsd_declarations{state=\"UNDECLARED\",phase=\"submit\"} 1"),
            std::string::npos);
  EXPECT_EQ(metrics->body.find("ORDER-SECRET"), std::string::npos);

  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");

  healthy_ = false;
  health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_EQ(health->body, "unhealthy: main loop last ran 75 s ago\n");

  auto missing = client.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(MetricsServerTest, ListensOnIpv6Loopback) {
  const int probe = socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  const bool have_v6 =
      probe >= 0 && bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  if (probe >= 0) close(probe);
  if (!have_v6) GTEST_SKIP() << "no IPv6 loopback on this machine";
  const int port = StartOrFail("[::1]:0");
  ASSERT_GT(port, 0);
  httplib::Client client("::1", port);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(MetricsServerTest, ABusyPortIsAClearErrorNamingMetricsListen) {
  const int port = StartOrFail("127.0.0.1:0");
  ASSERT_GT(port, 0);
  MetricsServer second({&metrics_}, nullptr);
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  StatusOr<int> again = second.Start(listen);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message().rfind("metrics.listen: ", 0), 0u) << again.status().message();
  EXPECT_NE(again.status().message().find(listen), std::string::npos);
}

TEST_F(MetricsServerTest, BadAddressesAreRefusedBeforeListening) {
  for (const char* listen : {"", "9469", "localhost:", ":9469", "127.0.0.1:70000", "[::1]9469",
                             "::1:9469", "127.0.0.1:94x9", "127.0.0.1:-1"}) {
    StatusOr<int> port = server_->Start(listen);
    ASSERT_FALSE(port.ok()) << listen;
    EXPECT_EQ(port.status().code(), StatusCode::kInvalidInput) << listen;
    EXPECT_EQ(port.status().message().rfind("metrics.listen: ", 0), 0u) << listen;
  }
  StatusOr<ListenAddress> v6 = ParseListenAddress("[::1]:9469");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9469);
}

TEST_F(MetricsServerTest, StopIsPromptWithIdleAndSilentConnectionsOpen) {
  const int port = StartOrFail("127.0.0.1:0");
  ASSERT_GT(port, 0);
  httplib::Client keep_alive("127.0.0.1", port);
  keep_alive.set_keep_alive(true);
  ASSERT_TRUE(keep_alive.Get("/healthz"));  // its connection now idles in a server thread
  // A client that connects and never sends a byte.
  const int silent = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(silent, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(silent, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::this_thread::sleep_for(milliseconds(100));  // accepted and handed to a thread

  const auto started = std::chrono::steady_clock::now();
  server_->Stop();
  const auto took = std::chrono::steady_clock::now() - started;
  close(silent);
  EXPECT_LT(took, milliseconds(500));
  EXPECT_EQ(server_->port(), 0);
  server_->Stop();  // idempotent

  // And it starts again afterwards.
  const int again = StartOrFail("127.0.0.1:0");
  ASSERT_GT(again, 0);
  httplib::Client client("127.0.0.1", again);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST(HeartbeatTest, HealthyOnlyWhileTheBeatIsRecent) {
  Heartbeat beat;
  const TimePoint t0 = testing::TestEpoch();
  Status never = beat.Check(t0, std::chrono::seconds(60), "main loop");
  EXPECT_EQ(never.code(), StatusCode::kUnavailable);
  EXPECT_EQ(never.message(), "main loop has not run yet");
  beat.Beat(t0);
  EXPECT_TRUE(
      beat.Check(t0 + std::chrono::seconds(60), std::chrono::seconds(60), "main loop").ok());
  Status stale = beat.Check(t0 + std::chrono::seconds(75), std::chrono::seconds(60), "main loop");
  EXPECT_EQ(stale.message(), "main loop last ran 75 s ago (limit 60 s)");
}

// Runs tests/systemd/metrics_check.sh on `file`: its exit code and output.
std::pair<int, std::string> RunMetricsCheck(const std::string& file) {
  const std::string command =
      std::string(CUSTOMSD_SOURCE_DIR) + "/tests/systemd/metrics_check.sh '" + file + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), pipe)) output.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST_F(MetricsServerTest, TheScrapePassesPromtoolCheckMetrics) {
  const int port = StartOrFail("127.0.0.1:0");
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  const std::string file = dir_.File("metrics.prom");
  testing::WriteFile(file, metrics->body);
  // CTest's systemd_metrics_check runs the script on this copy.
  if (const char* sample = std::getenv("CUSTOMSD_METRICS_SAMPLE"); sample && *sample) {
    testing::WriteFile(sample, metrics->body);
  }
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool is not installed (Debian package prometheus): not checked";
  }
  auto [code, output] = RunMetricsCheck(file);
  EXPECT_EQ(code, 0) << output << "\n" << metrics->body;

  // The check has teeth: a counter without _total is a finding.
  const std::string bad = dir_.File("bad.prom");
  testing::WriteFile(bad,
                     "# HELP customsd_things Things.\n# TYPE customsd_things counter\n"
                     "customsd_things 1\n");
  EXPECT_EQ(RunMetricsCheck(bad).first, 1);
}

}  // namespace
}  // namespace customsd
