// `customsd run` against a wechatpay-mock that pages as WeChat may (at most 2 records a page,
// whatever limit is asked) and, in the second test, takes every other freedom the seed pages
// leave it (--strict-docs) with the soak's faults and SIGKILLs on top: split orders settle, no
// sub-order goes to attention because an answer was cut short, and nothing is declared twice.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/e2e/e2e_fixture.h"

namespace customsd {
namespace {

using std::chrono::seconds;
using testing::DeclarationLine;

// An order of 7 sub-orders, 20 plain orders and 10 orders of 3 sub-orders: 57 declarations.
std::string Orders() {
  std::string text;
  for (int s = 1; s <= 7; ++s) text += DeclarationLine("SEVEN", 0, "SEVEN-" + std::to_string(s));
  for (int i = 0; i < 20; ++i) text += DeclarationLine("PLAIN" + std::to_string(i), 1 + i);
  for (int i = 0; i < 10; ++i) {
    const std::string order = "TRIPLE" + std::to_string(i);
    for (int s = 1; s <= 3; ++s)
      text += DeclarationLine(order, 21 + i, order + "-" + std::to_string(s));
  }
  return text;
}

const std::vector<std::string> kSoakFaults = {
    "--fault-systemerror", "0.10", "--fault-429",           "0.03",
    "--fault-503",         "0.03", "--fault-hang",          "0.01",
    "--hang-ms",           "2000", "--fault-reset",         "0.02",
    "--fault-truncate",    "0.01", "--fault-bad-signature", "0.02",
};

using PagingEndToEndTest = testing::EndToEndTest;

TEST_F(PagingEndToEndTest, SplitOrdersSettleAgainstAServerThatAnswersTwoRecordsAPage) {
  StartMock({"--page-max", "2"});
  DeclareAllSuccess(Orders());
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitSettled(seconds(90))) << DaemonLog().substr(0, 20000);
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(15)), 0);
  ExpectScenarioOutcomes();
  EXPECT_EQ(Count("SELECT count(*) FROM declarations WHERE phase = 'attention'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM alerts"), 0);
  ExpectNoDuplicateDeclares();
  StopMock();
}

TEST_F(PagingEndToEndTest, EveryFreedomOfTheDocsWithFaultsAndTenKillsLosesAndDoublesNothing) {
  std::vector<std::string> flags = {"--page-max", "2", "--strict-docs"};
  flags.insert(flags.end(), kSoakFaults.begin(), kSoakFaults.end());
  StartMock(flags);
  DeclareAllSuccess(Orders());
  KillAtRandomMoments(10, 20261204);
  if (HasFatalFailure()) return;
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitSettled(seconds(120))) << DaemonLog().substr(0, 20000);
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(15)), 0);
  ExpectScenarioOutcomes();  // every one of the 57 present, SUCCESS and done: none lost
  EXPECT_EQ(Count("SELECT count(*) FROM declarations WHERE phase = 'attention'"), 0);
  ExpectNoDuplicateDeclares();
  EXPECT_EQ(Count("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'"), 0);
  StopMock();
}

}  // namespace
}  // namespace customsd
