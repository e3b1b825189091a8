// The real binary, as a merchant's scripts would call it: declare the example file, read it
// back with list --json, declare it again.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_fixture.h"

namespace customsd {
namespace {

using testing::RunBinary;
using testing::TestInstall;

std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::ifstream f(path);
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      out.push_back(nlohmann::json::parse(line));
    }
  }
  return out;
}

// The stored record for an input line, by key.
const nlohmann::json* FindByKey(const nlohmann::json& list, const nlohmann::json& input) {
  for (const auto& r : list) {
    if (r["out_trade_no"] == input["out_trade_no"] && r["customs"] == input["customs"] &&
        r.value("sub_order_no", "") == input.value("sub_order_no", "")) {
      return &r;
    }
  }
  return nullptr;
}

TEST(RoundTripTest, ExampleFileRoundTripsEveryFieldAndRedeclaringChangesNothing) {
  TestInstall install;
  const std::string example = TestInstall::SourceFile("examples/declarations.jsonl");
  const std::vector<nlohmann::json> inputs = ReadJsonLines(example);
  ASSERT_GE(inputs.size(), 5u);

  testing::CliResult declared =
      RunBinary({"-c", install.config_path(), "declare", "--file", example});
  ASSERT_EQ(declared.code, 0) << declared.err;

  testing::CliResult listed = RunBinary({"-c", install.config_path(), "list", "--json"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  nlohmann::json list = nlohmann::json::parse(listed.out);
  ASSERT_EQ(list.size(), inputs.size());
  for (const nlohmann::json& in : inputs) {
    const nlohmann::json* stored = FindByKey(list, in);
    ASSERT_NE(stored, nullptr) << in.dump();
    for (const auto& [field, value] : in.items()) {
      EXPECT_EQ((*stored)[field], value) << field << " of " << in.dump();
    }
    EXPECT_EQ((*stored)["state"], "UNDECLARED");
    EXPECT_EQ((*stored)["phase"], "submit");
  }

  testing::CliResult again = RunBinary({"-c", install.config_path(), "declare", "--file", example});
  ASSERT_EQ(again.code, 0) << again.err;
  for (size_t line = 1; line <= inputs.size(); ++line) {
    EXPECT_NE(again.out.find("line " + std::to_string(line) + ": already present"),
              std::string::npos)
        << again.out;
  }
  EXPECT_NE(again.out.find("0 added, " + std::to_string(inputs.size()) + " already present"),
            std::string::npos)
      << again.out;
  testing::CliResult relisted = RunBinary({"-c", install.config_path(), "list", "--json"});
  EXPECT_EQ(relisted.out, listed.out);
}

TEST(RoundTripTest, TheBinaryExitsWith2OnBadInputFromStdin) {
  TestInstall install;
  testing::CliResult r = RunBinary({"-c", install.config_path(), "declare", "--file", "-"});
  EXPECT_EQ(r.code, 2);  // stdin is /dev/null: no declarations
  EXPECT_NE(r.err.find("no declarations"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace customsd
