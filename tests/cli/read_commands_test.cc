// list, show, stats, check and version: what operators read.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_fixture.h"

namespace customsd {
namespace {

using testing::GoodLine;

class ReadCommandsTest : public testing::CliTest {
 protected:
  void SetUp() override {
    std::string split =
        R"({"out_trade_no":"SPLIT1","transaction_id":"1000320306201511078440737891",)"
        R"("customs":"GUANGZHOU_ZS","merchant_customs_no":"123456","sub_order_no":"SUB_A",)"
        R"("fee_type":"CNY","order_fee":1000,"transport_fee":100,"product_fee":900})";
    std::string split_b = split;
    split_b.replace(split_b.find("SUB_A"), 5, "SUB_B");
    ASSERT_EQ(DeclareText("seed.jsonl", GoodLine("P1") + "\n" + split + "\n" + split_b + "\n").code,
              0);
  }
};

TEST_F(ReadCommandsTest, ListPrintsATableNewestFirst) {
  testing::CliResult r = Run({"list"});
  ASSERT_EQ(r.code, 0) << r.err;
  size_t header = r.out.find("OUT_TRADE_NO");
  size_t sub_b = r.out.find("SUB_B");
  size_t p1 = r.out.find("P1");
  ASSERT_NE(header, std::string::npos);
  ASSERT_NE(sub_b, std::string::npos);
  ASSERT_NE(p1, std::string::npos);
  EXPECT_LT(sub_b, p1);
}

TEST_F(ReadCommandsTest, ListFiltersByCustomsAndLimit) {
  auto j = nlohmann::json::parse(Run({"list", "--json", "--customs", "GUANGZHOU_ZS"}).out);
  EXPECT_EQ(j.size(), 2u);
  j = nlohmann::json::parse(Run({"list", "--json", "--limit", "1"}).out);
  EXPECT_EQ(j.size(), 1u);
  j = nlohmann::json::parse(Run({"list", "--json", "--state", "SUCCESS"}).out);
  EXPECT_EQ(j.size(), 0u);
  j = nlohmann::json::parse(Run({"list", "--json", "--phase", "submit"}).out);
  EXPECT_EQ(j.size(), 3u);
}

TEST_F(ReadCommandsTest, ListRefusesAnUnknownStateWithExitCode2) {
  testing::CliResult r = Run({"list", "--state", "DONE"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--state"), std::string::npos) << r.err;
}

TEST_F(ReadCommandsTest, ListJsonCarriesTheDocumentedFields) {
  auto j = nlohmann::json::parse(Run({"list", "--json", "--customs", "SHANGHAI_ZS"}).out);
  ASSERT_EQ(j.size(), 1u);
  for (const char* key : {"id", "state", "phase", "explanation", "attempts", "next_attempt_at",
                          "last_error_code", "last_error_message", "created_at", "updated_at",
                          "appid", "mchid", "out_trade_no", "transaction_id", "customs",
                          "merchant_customs_no"}) {
    EXPECT_TRUE(j[0].contains(key)) << key;
  }
  EXPECT_EQ(j[0]["created_at"], "2026-11-22T00:00:00Z");
  EXPECT_FALSE(j[0].contains("sub_order_no"));  // not a split order
}

TEST_F(ReadCommandsTest, ShowPrintsOneDeclarationWithItsEvents) {
  testing::CliResult r = Run({"show", "P1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("1230000109/P1/-/SHANGHAI_ZS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("created"), std::string::npos) << r.out;
}

TEST_F(ReadCommandsTest, ShowJsonIncludesTheEventHistory) {
  testing::CliResult r = Run({"show", "SPLIT1", "--sub-order-no", "SUB_B", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sub_order_no"], "SUB_B");
  ASSERT_EQ(j["events"].size(), 1u);
  EXPECT_EQ(j["events"][0]["kind"], "created");
  EXPECT_EQ(j["events"][0]["to_phase"], "submit");
}

TEST_F(ReadCommandsTest, ShowAsksToNarrowAnAmbiguousOrder) {
  testing::CliResult r = Run({"show", "SPLIT1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("SUB_A"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--sub-order-no"), std::string::npos) << r.err;
}

TEST_F(ReadCommandsTest, ShowOfAnUnknownOrderFailsWithExitCode3) {
  testing::CliResult r = Run({"show", "NOPE"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("NOPE"), std::string::npos) << r.err;
}

TEST_F(ReadCommandsTest, StatsCountsByStateAndPhaseAndAgesTheOldest) {
  clock_.Advance(std::chrono::minutes(90));
  testing::CliResult r = Run({"stats", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["total"], 3);
  EXPECT_EQ(j["by_state"]["UNDECLARED"], 3);
  EXPECT_EQ(j["by_phase"]["submit"], 3);
  EXPECT_EQ(j["oldest_unfinished_age_seconds"], 90 * 60);
  EXPECT_EQ(j["alerts_pending"], 0);
  testing::CliResult text = Run({"stats"});
  EXPECT_NE(text.out.find("1h30m ago"), std::string::npos) << text.out;
}

TEST_F(ReadCommandsTest, CheckPassesOnAGoodInstallation) {
  testing::CliResult r = Run({"check"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("keys ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("quick_check ok"), std::string::npos) << r.out;
}

TEST_F(ReadCommandsTest, CheckRefusesAPrivateKeyOthersCanRead) {
  ASSERT_EQ(::chmod(install_.File("apiclient_key.pem").c_str(), 0644), 0);
  testing::CliResult r = Run({"check"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("private_key_file"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("BEGIN"), std::string::npos) << "key material leaked: " << r.err;
}

TEST_F(ReadCommandsTest, CheckRefusesAKeyThatIsNotAKey) {
  testing::WriteFile(install_.File("apiclient_key.pem"), "not a key\n", 0600);
  testing::CliResult r = Run({"check"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("private_key_file"), std::string::npos) << r.err;
}

TEST_F(ReadCommandsTest, ABrokenConfigIsExitCode2NamingTheKey) {
  testing::WriteFile(install_.config_path(), "[merchant]\nmchid = 12\n");
  testing::CliResult r = Run({"list"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("merchant.mchid"), std::string::npos) << r.err;
}

TEST_F(ReadCommandsTest, VersionNamesTheProgramAndItsLibraries) {
  testing::CliResult r = Run({"version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("customsd ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("SQLite"), std::string::npos);
}

TEST_F(ReadCommandsTest, UnknownCommandsAndOptionsAreUsageErrors) {
  EXPECT_EQ(Run({"frobnicate"}).code, 2);
  EXPECT_EQ(Run({"list", "--colour"}).code, 2);
  EXPECT_EQ(testing::RunInProcess({}, clock_).code, 2);
}

TEST_F(ReadCommandsTest, HelpIsExitCode0) {
  testing::CliResult r = Run({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("declare"), std::string::npos);
}

}  // namespace
}  // namespace customsd
