// `customsd alerts` on alerts a real run raised: the mock refuses three declarations, the
// daemon raises an alert for each, and the operator lists, pages and acknowledges them with the
// real binary (stdin not a terminal, as in a script).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/e2e/e2e_fixture.h"

namespace customsd {
namespace {

using std::chrono::seconds;

class AlertsCommandEndToEndTest : public testing::EndToEndTest {
 protected:
  void SetUp() override {
    StartMock({});
    std::string text;
    for (int i = 1; i <= 3; ++i) {
      text += R"({"out_trade_no":"REFUSED)" + std::to_string(i) +
              R"(","transaction_id":"420000000000000000000000000)" + std::to_string(i) +
              R"(","customs":"SHANGHAI_ZS","merchant_customs_no":"PARAMERR9"})" + "\n";
    }
    testing::WriteFile(install_.File("refused.jsonl"), text);
    ASSERT_EQ(Cli({"declare", "--file", install_.File("refused.jsonl")}).code, 0);
    auto daemon = StartDaemon();
    ASSERT_TRUE(WaitUntil([&] { return Count("SELECT count(*) FROM alerts") == 3; }))
        << DaemonLog();
    daemon->Signal(SIGTERM);
    EXPECT_EQ(daemon->Wait(seconds(15)), 0);
    StopMock();
  }

  void TearDown() override { ::unsetenv("SUDO_USER"); }

  std::vector<nlohmann::json> Jsonl(const std::vector<std::string>& args) {
    testing::CliResult r = Cli(args);
    EXPECT_EQ(r.code, 0) << r.err;
    std::vector<nlohmann::json> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  std::vector<int64_t> OpenIds() {
    std::vector<int64_t> ids;
    for (const auto& a : Jsonl({"alerts", "-o", "jsonl"})) ids.push_back(a.at("id"));
    return ids;
  }
};

TEST_F(AlertsCommandEndToEndTest, ListsTheRaisedAlertsNewestFirstAndPages) {
  const std::vector<int64_t> ids = OpenIds();
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_GT(ids[0], ids[1]);
  EXPECT_GT(ids[1], ids[2]);
  const auto first = Jsonl({"alerts", "list", "-o", "jsonl"}).at(0);
  EXPECT_EQ(first.at("cause"), "refused:PARAM_ERROR");
  EXPECT_TRUE(first.at("declaration_id").is_number());
  EXPECT_NE(first.at("summary").get<std::string>().find("PARAM_ERROR"), std::string::npos);
  EXPECT_TRUE(first.at("acknowledged_at").is_null());

  testing::CliResult page = Cli({"alerts", "--limit", "2"});
  ASSERT_EQ(page.code, 0) << page.err;
  EXPECT_NE(page.out.find("SUMMARY"), std::string::npos);
  EXPECT_NE(page.err.find("--after " + std::to_string(ids[1])), std::string::npos) << page.err;
  const auto next = Jsonl({"alerts", "-o", "jsonl", "--after", std::to_string(ids[1])});
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].at("id"), ids[2]);

  const auto one = Jsonl({"alerts", "-o", "jsonl", "--declaration",
                          std::to_string(first.at("declaration_id").get<int64_t>())});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].at("id"), ids[0]);
  EXPECT_TRUE(Jsonl({"alerts", "-o", "jsonl", "--cause", "FAIL"}).empty());
  EXPECT_TRUE(Jsonl({"alerts", "-o", "jsonl", "--since", "2999-01-01"}).empty());
  EXPECT_EQ(Cli({"alerts", "--since", "yesterday"}).code, 2);
}

TEST_F(AlertsCommandEndToEndTest, AcknowledgingRecordsWhoAndTakesTheAlertOffTheOpenList) {
  const std::vector<int64_t> ids = OpenIds();
  ASSERT_EQ(ids.size(), 3u);
  ::setenv("SUDO_USER", "ops-lead", 1);
  testing::CliResult ack = Cli({"alerts", "ack", std::to_string(ids[0])});
  ASSERT_EQ(ack.code, 0) << ack.err;
  EXPECT_NE(ack.out.find("1 alert acknowledged by ops-lead"), std::string::npos) << ack.out;
  EXPECT_EQ(OpenIds(), (std::vector<int64_t>{ids[1], ids[2]}));
  EXPECT_EQ(Count("SELECT count(*) FROM alerts WHERE acknowledged_by = 'ops-lead'"), 1);

  const auto all = Jsonl({"alerts", "--all", "-o", "jsonl"});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].at("acknowledged_by"), "ops-lead");

  // Again: the first acknowledgement stands, and the operator is told whose it is.
  ::setenv("SUDO_USER", "someone-else", 1);
  ack = Cli({"alerts", "ack", std::to_string(ids[0])});
  EXPECT_EQ(ack.code, 0) << ack.err;
  EXPECT_NE(ack.err.find("already, by ops-lead"), std::string::npos) << ack.err;
  EXPECT_EQ(Count("SELECT count(*) FROM alerts WHERE acknowledged_by = 'ops-lead'"), 1);
}

TEST_F(AlertsCommandEndToEndTest, AnUnknownIdIsExitThreeAndAcknowledgesNothing) {
  const std::vector<int64_t> ids = OpenIds();
  ASSERT_EQ(ids.size(), 3u);
  testing::CliResult ack = Cli({"alerts", "ack", std::to_string(ids[0]), "99999"});
  EXPECT_EQ(ack.code, 3) << ack.err;
  EXPECT_NE(ack.err.find("no alert 99999"), std::string::npos) << ack.err;
  EXPECT_EQ(Count("SELECT count(*) FROM alerts WHERE acknowledged_at IS NOT NULL"), 0);
}

TEST_F(AlertsCommandEndToEndTest, AcknowledgingAllNeedsYesOffATerminal) {
  testing::CliResult ack = Cli({"alerts", "ack", "--all"});
  EXPECT_EQ(ack.code, 2) << ack.err;
  EXPECT_NE(ack.err.find("3 alerts would be acknowledged"), std::string::npos) << ack.err;
  EXPECT_EQ(Count("SELECT count(*) FROM alerts WHERE acknowledged_at IS NOT NULL"), 0);

  EXPECT_EQ(Cli({"alerts", "ack", "1", "--cause", "refused:PARAM_ERROR"}).code, 2);
  EXPECT_EQ(Cli({"alerts", "ack"}).code, 2);

  ack = Cli({"alerts", "ack", "--all", "--cause", "refused:PARAM_ERROR", "--yes", "-o", "jsonl"});
  ASSERT_EQ(ack.code, 0) << ack.err;
  EXPECT_EQ(std::count(ack.out.begin(), ack.out.end(), '\n'), 3) << ack.out;
  EXPECT_TRUE(OpenIds().empty());
  testing::CliResult empty = Cli({"alerts"});
  EXPECT_EQ(empty.code, 0);
  EXPECT_NE(empty.out.find("no open alerts"), std::string::npos) << empty.out;
}

}  // namespace
}  // namespace customsd
