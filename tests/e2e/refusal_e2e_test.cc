// An operator's path from a real refusal: the mock refuses a declaration (400 PARAM_ERROR on
// its merchant_customs_no), `customsd retry` sends the same values and is refused again with a
// second alert, and `customsd modify` corrects it while the daemon runs, after which it settles.
// Nothing here builds a row by hand: every state comes from the daemon's own run.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "tests/e2e/e2e_fixture.h"

namespace customsd {
namespace {

using std::chrono::seconds;

using RefusalEndToEndTest = testing::EndToEndTest;

TEST_F(RefusalEndToEndTest, ARefusedDeclarationIsRetriedThenCorrectedWithModifyAndSettles) {
  StartMock({});
  testing::WriteFile(install_.File("refused.jsonl"),
                     R"({"out_trade_no":"FIXME1","transaction_id":"4200000000000000000000000001",)"
                     R"("customs":"SHANGHAI_ZS","merchant_customs_no":"PARAMERR9"})"
                     "\n");
  auto cli = [&](std::vector<std::string> args) { return Cli(std::move(args)); };
  ASSERT_EQ(cli({"declare", "--file", install_.File("refused.jsonl")}).code, 0);
  auto wait_for = [&](const std::string& sql, int64_t want) {
    return WaitUntil([&] { return Count(sql) == want; });
  };
  const std::string alerts = "SELECT count(*) FROM alerts WHERE declaration_id IS NOT NULL";
  auto daemon = StartDaemon();

  ASSERT_TRUE(wait_for(alerts, 1)) << DaemonLog();
  EXPECT_EQ(Count("SELECT count(*) FROM declarations WHERE phase = 'attention' AND "
                  "last_error_code = 'PARAM_ERROR'"),
            1);
  // A signed refusal of the send proves it was not applied: no doubt is left.
  EXPECT_EQ(Count("SELECT check_first FROM declarations"), 0);

  // The same values again: refused again, and that is a new alert.
  testing::CliResult retry = cli({"retry", "FIXME1"});
  ASSERT_EQ(retry.code, 0) << retry.err;
  ASSERT_TRUE(wait_for(alerts, 2)) << DaemonLog();

  testing::CliResult modify = cli({"modify", "FIXME1", "--merchant-customs-no", "3120960ZK1"});
  ASSERT_EQ(modify.code, 0) << modify.out << modify.err;
  ASSERT_TRUE(
      wait_for("SELECT count(*) FROM declarations WHERE state = 'SUCCESS' AND "
               "phase = 'done' AND merchant_customs_no = '3120960ZK1'",
               1))
      << DaemonLog();
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(15)), 0);
  ExpectNoDuplicateDeclares();
  StopMock();
}

}  // namespace
}  // namespace customsd
