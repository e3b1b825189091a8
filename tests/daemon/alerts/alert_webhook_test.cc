// AlertDeliverer through CurlTransport to a real cpp-httplib receiver on 127.0.0.1 (an
// OS-picked port, always stopped) that answers 500 twice, then 200. The FakeClock is advanced
// between passes, so nothing waits for a backoff to pass.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon/alerts/alert_deliverer.h"
#include "tests/daemon/alerts/alert_test_support.h"
#include "tests/support/loopback_server.h"
#include "wechatpay/curl_transport.h"

namespace customsd {
namespace {

using namespace std::chrono_literals;

struct Received {
  std::string content_type;
  std::string body;
  std::string key;
};

// The receiver: records every POST, answers 500 to the first two and 200 after.
class Receiver {
 public:
  Receiver() {
    http_.server().Post(
        "/cgi-bin/webhook/send", [this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard lock(mu_);
          received_.push_back(
              {req.get_header_value("Content-Type"), req.body, req.get_param_value("key")});
          if (received_.size() <= 2) {
            res.status = 500;
            res.set_content("try later", "text/plain");
          } else {
            res.status = 200;
            res.set_content(R"({"errcode":0,"errmsg":"ok"})", "application/json");
          }
        });
    http_.Start();
  }
  int port() const { return http_.port(); }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  std::mutex mu_;
  std::vector<Received> received_;
  testing::LoopbackServer http_;  // last: stopped before the members its handlers use
};

TEST(AlertWebhookTest, AReceiverFailingTwiceGetsTheAlertOnTheThirdAttempt) {
  testing::CapturedLog log;
  testing::TempDir dir;
  FakeClock clock(testing::TestEpoch());
  auto db = testing::OpenMigrated(dir.File("customsd.db"));
  const int64_t id = testing::AddAlert(*db, "FAIL", UnixMillis(clock.Now()));

  Receiver receiver;
  Config::Alerts config;
  config.webhook_url = "http://127.0.0.1:" + std::to_string(receiver.port()) +
                       "/cgi-bin/webhook/send?key=TOKEN-0123456789";
  config.webhook_format = "wecom";
  CurlTransport transport({});
  testing::FixedRandom random(0.5);
  testing::FakeCommandRunner runner;
  AlertDeliverer deliverer(*db, config, transport, clock, random, runner);

  EXPECT_EQ(deliverer.RunOnce(), 0);
  auto row = testing::ReadAlertRow(*db, id);
  EXPECT_EQ(row.last_error, "webhook: HTTP 500: try later");
  EXPECT_EQ(deliverer.RunOnce(), 0);  // not due yet: nothing sent
  EXPECT_EQ(receiver.received().size(), 1u);

  clock.Set(FromUnixMillis(row.next_attempt_at));
  EXPECT_EQ(deliverer.RunOnce(), 0);
  row = testing::ReadAlertRow(*db, id);
  EXPECT_EQ(row.attempts, 2);

  clock.Set(FromUnixMillis(row.next_attempt_at));
  EXPECT_EQ(deliverer.RunOnce(), 1);
  row = testing::ReadAlertRow(*db, id);
  EXPECT_EQ(row.attempts, 3);
  EXPECT_EQ(row.delivered_at, UnixMillis(clock.Now()));
  EXPECT_EQ(row.last_error, std::nullopt);

  clock.Advance(1h);
  EXPECT_EQ(deliverer.RunOnce(), 0);
  const auto received = receiver.received();
  ASSERT_EQ(received.size(), 3u);
  for (const Received& r : received) {
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.key, "TOKEN-0123456789");
    const auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["msgtype"], "markdown");
    EXPECT_EQ(body["markdown"]["content"].get<std::string>().rfind("### customsd alert ", 0), 0u);
  }
  EXPECT_EQ(log.text().find("TOKEN-0123456789"), std::string::npos);
}

}  // namespace
}  // namespace customsd
