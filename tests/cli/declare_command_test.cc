#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_fixture.h"

namespace customsd {
namespace {

using testing::GoodLine;
using DeclareCommandTest = testing::CliTest;

TEST_F(DeclareCommandTest, DeclaresOneFromFlagsUsingTheConfiguredMerchant) {
  testing::CliResult r =
      Run({"declare", "--out-trade-no", "F1", "--transaction-id", "1000320306201511078440737890",
           "--customs", "NINGBO", "--merchant-customs-no", "123456", "--duty", "12"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("added 1230000109/F1/-/NINGBO"), std::string::npos) << r.out;
  testing::CliResult list = Run({"list", "--json"});
  auto j = nlohmann::json::parse(list.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["appid"], testing::kTestAppid);
  EXPECT_EQ(j[0]["duty"], 12);
}

TEST_F(DeclareCommandTest, ABadFlagIsNamedAsTheFlag) {
  testing::CliResult r =
      Run({"declare", "--out-trade-no", "F1", "--transaction-id", "1000320306201511078440737890",
           "--customs", "NINGBO", "--merchant-customs-no", "123456", "--duty", "1.5"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--duty"), std::string::npos) << r.err;
  EXPECT_FALSE(DatabaseExists());
}

TEST_F(DeclareCommandTest, NothingToDeclareIsAUsageError) {
  testing::CliResult r = Run({"declare"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--file"), std::string::npos) << r.err;
}

TEST_F(DeclareCommandTest, ReadsJsonLinesFromStdin) {
  testing::CliResult r =
      Run({"declare", "--file", "-"}, GoodLine("S1") + "\n" + GoodLine("S2") + "\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 added, 0 already present"), std::string::npos) << r.out;
}

TEST_F(DeclareCommandTest, DeclaringTheSameFileAgainReportsEveryRecordAsPresent) {
  const std::string text = GoodLine("R1") + "\n" + GoodLine("R2") + "\n";
  ASSERT_EQ(DeclareText("a.jsonl", text).code, 0);
  const std::string before = Snapshot();
  testing::CliResult again = DeclareText("a.jsonl", text);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("line 1: already present"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("line 2: already present"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("0 added, 2 already present"), std::string::npos) << again.out;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(DeclareCommandTest, ReadsTheCsvExample) {
  testing::CliResult r = Run(
      {"declare", "--file", testing::TestInstall::SourceFile("examples/declarations.csv")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("5 added, 0 already present"), std::string::npos) << r.out;
}

TEST_F(DeclareCommandTest, AnUnknownButWellFormedCustomsCodeIsWarnedAboutAndStored) {
  std::string line = GoodLine("U1");
  line.replace(line.find("SHANGHAI_ZS"), 11, "MARS_BASE");
  testing::CliResult r = DeclareText("a.jsonl", line);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("MARS_BASE"), std::string::npos) << r.err;
}

TEST_F(DeclareCommandTest, AMissingFileIsABadInputNamingTheFile) {
  testing::CliResult r = Run({"declare", "--file", install_.File("nope.jsonl")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nope.jsonl"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace customsd
