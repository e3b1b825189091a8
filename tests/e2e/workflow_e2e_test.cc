// `customsd run` drives 200 declarations of mixed scenarios to their ends against the fake
// WeChat Pay with faults on, survives SIGKILL at random moments, and stops cleanly on SIGTERM.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "tests/e2e/e2e_fixture.h"
#include "tests/support/loopback_server.h"

namespace customsd {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::vector<std::string> kFaults = {
    "--fault-systemerror", "0.20", "--fault-429",   "0.05", "--fault-hang",          "0.02",
    "--hang-ms",           "3000", "--fault-reset", "0.02", "--fault-bad-signature", "0.02",
    "--fault-truncate",    "0.01",
};

using WorkflowEndToEndTest = testing::EndToEndTest;

TEST_F(WorkflowEndToEndTest, EveryDeclarationEndsAsItsScenarioImpliesDespiteFaults) {
  StartMock(kFaults);
  DeclareScenarios();
  const auto started = std::chrono::steady_clock::now();
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitSettled(seconds(110))) << DaemonLog().substr(0, 20000);
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(120));
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(15)), 0);
  ExpectScenarioOutcomes();
  ExpectNoDuplicateDeclares();
  // One alert per FAIL and per declaration needing attention.
  EXPECT_EQ(Count("SELECT count(*) FROM alerts"),
            Count("SELECT count(*) FROM declarations WHERE state = 'FAIL' OR phase = 'attention'"));
  StopMock();
}

TEST_F(WorkflowEndToEndTest, KilledAtTenRandomMomentsItStillEndsTheSameWay) {
  StartMock(kFaults);
  DeclareScenarios();
  KillAtRandomMoments(10, 20261121);
  if (HasFatalFailure()) return;
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitSettled(seconds(110))) << DaemonLog().substr(0, 20000);
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(15)), 0);
  ExpectScenarioOutcomes();
  ExpectNoDuplicateDeclares();
  EXPECT_EQ(Count("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'"), 0);
  StopMock();
}

TEST_F(WorkflowEndToEndTest, SigtermDuringABusyRunExitsZeroWithinTheBoundAndLosesNothing) {
  StartMock({"--latency-ms", "300", "--fault-hang", "0.05", "--hang-ms", "3000"});
  DeclareScenarios();
  auto daemon = StartDaemon();
  // Busy: wait until requests have been sent, then stop in the middle of the work.
  const auto until = std::chrono::steady_clock::now() + seconds(30);
  while (Count("SELECT count(*) FROM events WHERE kind = 'declare_sent'") < 20 &&
         std::chrono::steady_clock::now() < until) {
    ASSERT_FALSE(daemon->Wait(milliseconds(100)).has_value()) << DaemonLog();
  }
  ASSERT_GT(Count("SELECT count(*) FROM declarations WHERE phase IN ('submit', 'poll')"), 0);
  const auto stop = std::chrono::steady_clock::now();
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(10)), 0) << DaemonLog();
  EXPECT_LT(std::chrono::steady_clock::now() - stop, seconds(8));  // --shutdown-seconds 5
  EXPECT_EQ(Count("SELECT count(*) FROM declarations"), 200);
  // Nothing was lost: a second run finishes every declaration.
  auto again = StartDaemon();
  ASSERT_TRUE(WaitSettled(seconds(110))) << DaemonLog().substr(0, 20000);
  again->Signal(SIGTERM);
  EXPECT_EQ(again->Wait(seconds(15)), 0);
  ExpectScenarioOutcomes();
  ExpectNoDuplicateDeclares();
  StopMock();
}

}  // namespace
}  // namespace customsd

namespace customsd {
namespace {

// A local webhook receiver: refuses (503) until told to accept, then records each alert id.
class WebhookReceiver {
 public:
  WebhookReceiver() {
    http_.server().Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!accepting_) {
        ++refused_;
        res.status = 503;
        return;
      }
      auto body = nlohmann::json::parse(req.body, nullptr, false);
      if (body.is_object() && body.contains("id")) ++received_[body["id"].get<int64_t>()];
      res.status = 200;
    });
    http_.Start();
  }
  int port() const { return http_.port(); }
  void Accept() {
    std::lock_guard<std::mutex> lock(mu_);
    accepting_ = true;
  }
  int refused() {
    std::lock_guard<std::mutex> lock(mu_);
    return refused_;
  }
  std::map<int64_t, int> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  std::mutex mu_;
  bool accepting_ = false;
  int refused_ = 0;
  std::map<int64_t, int> received_;
  testing::LoopbackServer http_;  // last: stopped before the members its handlers use
};

using AlertEndToEndTest = testing::EndToEndTest;

TEST_F(AlertEndToEndTest, EachFailAndAttentionReachesTheWebhookOnceDespiteFailuresAndARestart) {
  WebhookReceiver receiver;
  StartMock({});
  testing::WriteFile(install_.config_path(), testing::ReadFile(install_.config_path()) +
                                                 "[alerts]\nwebhook_url = \"http://127.0.0.1:" +
                                                 std::to_string(receiver.port()) +
                                                 "/hook\"\nwebhook_format = \"generic\"\n");
  DeclareScenarios();
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitSettled(seconds(110))) << DaemonLog().substr(0, 20000);
  // The receiver has refused alerts and some are still pending: the daemon dies now.
  const auto until = std::chrono::steady_clock::now() + seconds(30);
  while (receiver.refused() == 0 && std::chrono::steady_clock::now() < until) {
    ASSERT_FALSE(daemon->Wait(milliseconds(100)).has_value());
  }
  ASSERT_GT(receiver.refused(), 0);
  daemon->Signal(SIGKILL);
  ASSERT_EQ(daemon->Wait(seconds(10)), 128 + SIGKILL);
  const int64_t alerts = Count("SELECT count(*) FROM alerts");
  ASSERT_GT(Count("SELECT count(*) FROM alerts WHERE delivered_at IS NULL"), 0);

  receiver.Accept();
  auto again = StartDaemon();
  const auto deadline = std::chrono::steady_clock::now() + seconds(90);
  while (Count("SELECT count(*) FROM alerts WHERE delivered_at IS NULL") > 0 &&
         std::chrono::steady_clock::now() < deadline) {
    ASSERT_FALSE(again->Wait(milliseconds(200)).has_value()) << DaemonLog();
  }
  again->Signal(SIGTERM);
  EXPECT_EQ(again->Wait(seconds(15)), 0);

  EXPECT_EQ(alerts, Count("SELECT count(*) FROM declarations WHERE state = 'FAIL' OR "
                          "phase = 'attention'"));
  std::map<int64_t, int> received = receiver.received();
  EXPECT_EQ(static_cast<int64_t>(received.size()), alerts);
  for (const auto& [id, times] : received) EXPECT_EQ(times, 1) << "alert " << id;
  StopMock();
}

}  // namespace
}  // namespace customsd
