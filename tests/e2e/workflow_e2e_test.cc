// `customsd run` drives 200 declarations of mixed scenarios to their ends against the fake
// WeChat Pay with faults on, survives SIGKILL at random moments, and stops cleanly on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <random>

#include "tests/e2e/e2e_fixture.h"

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
  std::mt19937 random(20261121);
  std::uniform_int_distribution<int> moment_ms(200, 1500);
  for (int kill = 0; kill < 10; ++kill) {
    auto daemon = StartDaemon(/*wait_ready=*/false);
    // Runs for a random moment (unless it dies by itself), then SIGKILL.
    auto exited = daemon->Wait(milliseconds(moment_ms(random)));
    ASSERT_FALSE(exited.has_value()) << "daemon exited early:\n" << DaemonLog();
    daemon->Signal(SIGKILL);
    ASSERT_EQ(daemon->Wait(seconds(10)), 128 + SIGKILL);
  }
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
