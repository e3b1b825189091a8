// The command-line conventions operators expect: global options anywhere, --version, IDs,
// paged lists, output formats, confirmation of bulk changes, cancel, and exit 3 for "no such
// declaration". Declarations come from a real `customsd declare`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/commands/cli.h"
#include "daemon/commands/output_format.h"
#include "storage/declaration_store.h"
#include "tests/cli/cli_fixture.h"

namespace customsd {
namespace {

using testing::CliResult;
using testing::GoodLine;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class CliConventionsTest : public testing::CliTest {
 protected:
  void SetUp() override {
    std::string text;
    for (int i = 1; i <= 5; ++i) text += GoodLine("ORDER" + std::to_string(i)) + "\n";
    ASSERT_EQ(DeclareText("five.jsonl", text).code, 0);
  }

  // Without the fixture's leading "-c CONFIG": the test places it.
  CliResult Bare(const std::vector<std::string>& args) {
    return testing::RunInProcess(args, clock_, "");
  }

  int64_t IdOf(const std::string& order) {
    CliResult r = Run({"show", order, "-o", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out).at("id").get<int64_t>();
  }

  std::string PhaseOf(const std::string& order) {
    CliResult r = Run({"show", order, "--json"});
    return nlohmann::json::parse(r.out).at("phase").get<std::string>();
  }
};

TEST_F(CliConventionsTest, GlobalOptionsWorkAfterTheSubcommand) {
  CliResult r = Bare({"list", "-c", install_.config_path(), "-o", "jsonl"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 5u) << r.out;
  r = Bare({"--json", "list", "--config", install_.config_path(), "--limit", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).size(), 1u);
  r = Bare({"stats", "-o", "csv", "-c", install_.config_path()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).front(), "state,phase,count\r");
}

TEST_F(CliConventionsTest, VersionFlagPrintsTheVersion) {
  CliResult r = Bare({"--version"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "customsd ")) << r.out;
  EXPECT_TRUE(Has(r.out, "commit")) << r.out;
}

TEST_F(CliConventionsTest, ListSaysWhereItStoppedAndPagesFromThere) {
  CliResult first = Run({"list", "--limit", "2", "-o", "jsonl"});
  ASSERT_EQ(first.code, 0) << first.err;
  std::vector<std::string> page = Lines(first.out);
  ASSERT_EQ(page.size(), 2u);
  const int64_t last = nlohmann::json::parse(page.back()).at("id").get<int64_t>();
  EXPECT_TRUE(Has(first.err, "stopped at --limit 2")) << first.err;
  EXPECT_TRUE(Has(first.err, "--after " + std::to_string(last))) << first.err;

  std::vector<int64_t> seen;
  for (const std::string& line : page) seen.push_back(nlohmann::json::parse(line).at("id"));
  CliResult second = Run({"list", "--limit", "2", "--after", std::to_string(last), "-o", "jsonl"});
  for (const std::string& line : Lines(second.out)) seen.push_back(nlohmann::json::parse(line).at("id"));
  EXPECT_TRUE(Has(second.err, "stopped at --limit 2")) << second.err;
  CliResult third = Run({"list", "--limit", "2", "--after", std::to_string(seen.back()),
                         "-o", "jsonl"});
  for (const std::string& line : Lines(third.out)) seen.push_back(nlohmann::json::parse(line).at("id"));
  EXPECT_EQ(third.err, "");  // the last page says nothing more
  ASSERT_EQ(seen.size(), 5u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_LT(seen[i], seen[i - 1]);  // newest first
}

TEST_F(CliConventionsTest, ListFiltersByCreationTimeAndMerchant) {
  EXPECT_EQ(Lines(Run({"list", "-o", "jsonl", "--since", "2000-01-01"}).out).size(), 5u);
  EXPECT_EQ(Run({"list", "-o", "jsonl", "--until", "2000-01-01"}).out, "");
  EXPECT_EQ(Run({"list", "-o", "jsonl", "--merchant", "999"}).out, "");
  CliResult bad = Run({"list", "--since", "yesterday"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(Has(bad.err, "--since: 'yesterday'")) << bad.err;
}

TEST_F(CliConventionsTest, OutputFormatsCarryTheSameRecords) {
  CliResult jsonl = Run({"list", "-o", "jsonl"});
  CliResult json = Run({"list", "-o", "json"});
  CliResult csv = Run({"list", "-o", "csv"});
  ASSERT_EQ(jsonl.code + json.code + csv.code, 0);
  nlohmann::json array = nlohmann::json::parse(json.out);
  std::vector<std::string> lines = Lines(jsonl.out);
  ASSERT_EQ(lines.size(), array.size());
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(nlohmann::json::parse(lines[i]), array[i]);
  std::vector<std::string> rows = Lines(csv.out);
  ASSERT_EQ(rows.size(), array.size() + 1);
  EXPECT_EQ(rows[0].rfind("id,appid,mchid,out_trade_no,", 0), 0u) << rows[0];
  EXPECT_EQ(rows[1].rfind(std::to_string(array[0].at("id").get<int64_t>()) + ",", 0), 0u);
}

TEST_F(CliConventionsTest, ABulkChangeIsRefusedWithoutYesOffATerminal) {
  const std::string before = Snapshot();
  CliResult r = Run({"cancel", "--phase", "submit"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(Has(r.err, "cancel: 5 declarations would be cancelled; nothing changed: add --yes"))
      << r.err;
  EXPECT_EQ(Snapshot(), before);
  r = Run({"cancel", "--phase", "submit", "--yes"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "cancel: 5 declarations cancelled")) << r.out;
}

TEST_F(CliConventionsTest, ABulkChangeAsksOnATerminalAndANoChangesNothing) {
  auto run = [&](const std::string& answer) {
    std::istringstream in(answer);
    std::ostringstream out, err;
    int code = RunCli({"-c", install_.config_path(), "cancel", "--phase", "submit"}, in, out,
                      err, clock_, /*interactive=*/true);
    return CliResult{code, out.str(), err.str()};
  };
  const std::string before = Snapshot();
  CliResult no = run("n\n");
  EXPECT_EQ(no.code, 1);
  EXPECT_TRUE(Has(no.err, "5 declarations would be cancelled. Go ahead? [y/N]")) << no.err;
  EXPECT_EQ(Snapshot(), before);
  CliResult yes = run("y\n");
  EXPECT_EQ(yes.code, 0) << yes.err;
  EXPECT_EQ(PhaseOf("ORDER1"), "cancelled");
}

TEST_F(CliConventionsTest, CancelTakesADeclarationOutOfWorkWithItsHistoryAndRetryUndoesIt) {
  const int64_t id = IdOf("ORDER2");
  CliResult r = Run({"cancel", std::to_string(id), "--reason", "refunded"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(PhaseOf("ORDER2"), "cancelled");
  nlohmann::json shown = nlohmann::json::parse(Run({"show", "ORDER2", "--json"}).out);
  EXPECT_EQ(shown.at("events").back().at("kind"), "operator_cancel");
  EXPECT_EQ(shown.at("events").back().at("message"), "cancelled by an operator: refunded");

  // Out of the daemon's work: the due query does not return it.
  {
    auto db = Database::Open(install_.db_path());
    ASSERT_TRUE(db.ok());
    DeclarationStore store(**db, clock_);
    auto due = store.Due(UnixMillis(clock_.Now()) + 3'600'000, 100, {});
    ASSERT_TRUE(due.ok());
    for (const DeclarationRecord& d : *due) EXPECT_NE(d.id, id);
    EXPECT_EQ(due->size(), 4u);
  }
  r = Run({"cancel", std::to_string(id)});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(Has(r.err, "skipped: already cancelled")) << r.err;
  r = Run({"retry", "--id", std::to_string(id)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(PhaseOf("ORDER2"), "submit");
}

TEST_F(CliConventionsTest, NoSuchDeclarationExitsThree) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"show", "NOPE"},
           {"show", "--id", "999999"},
           {"show", "999999"},
           {"retry", "--id", "999999"},
           {"cancel", "NOPE"},
           {"modify", "NOPE", "--duty", "1"},
           {"redeclare", "NOPE"},
       }) {
    CliResult r = Run(args);
    EXPECT_EQ(r.code, 3) << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_TRUE(Has(r.err, "customsd: no declaration")) << r.err;
  }
  // A bad filter stays bad input, and a database that is not there is a runtime failure.
  EXPECT_EQ(Run({"list", "--state", "NOPE"}).code, 2);
}

TEST_F(CliConventionsTest, AnIdAndAnOrderNumberAreToldApart) {
  const int64_t id = IdOf("ORDER3");
  CliResult r = Run({"show", std::to_string(id), "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("out_trade_no"), "ORDER3");
  // An order whose number is also another declaration's ID is ambiguous, and --id settles it.
  ASSERT_EQ(DeclareText("digits.jsonl", GoodLine(std::to_string(id)) + "\n").code, 0);
  r = Run({"show", std::to_string(id)});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(Has(r.err, "is both the ID of")) << r.err;
  r = Run({"show", "--id", std::to_string(id), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("out_trade_no"), "ORDER3");
}

TEST_F(CliConventionsTest, DeclareQuietPrintsTheSummaryOnly) {
  testing::WriteFile(install_.File("two.jsonl"), GoodLine("Q1") + "\n" + GoodLine("Q2") + "\n");
  CliResult r = Run({"declare", "-q", "--file", install_.File("two.jsonl")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "declare: 2 added, 0 already present\n");
  r = Run({"declare", "--file", install_.File("two.jsonl"), "-o", "jsonl"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines[0]).at("result"), "already_present");
}

TEST_F(CliConventionsTest, VersionAndCheckSpeakJsonToo) {
  CliResult v = Bare({"version", "-o", "json"});
  ASSERT_EQ(v.code, 0) << v.err;
  nlohmann::json facts = nlohmann::json::parse(v.out);
  EXPECT_GE(facts.at("schema_version").get<int>(), 4);
  EXPECT_TRUE(facts.contains("commit"));
  CliResult c = Run({"check", "-o", "jsonl"});
  ASSERT_EQ(c.code, 0) << c.err;
  std::vector<std::string> lines = Lines(c.out);
  ASSERT_FALSE(lines.empty());
  for (const std::string& line : lines) {
    EXPECT_EQ(nlohmann::json::parse(line).at("result"), "ok") << line;
  }
  EXPECT_EQ(nlohmann::json::parse(lines.back()).at("message"), "check: ok");
}

TEST(OutputFormatTest, TablesAlignByDisplayWidth) {
  EXPECT_EQ(DisplayWidth("SHANGHAI"), 8u);
  EXPECT_EQ(DisplayWidth("上海海关"), 8u);
  EXPECT_EQ(DisplayWidth("ｅ"), 2u);       // fullwidth
  EXPECT_EQ(DisplayWidth("e\xcc\x81"), 1u);  // e + combining acute
  std::ostringstream out;
  PrintTable(out, {{"CUSTOMS", "STATE"}, {"上海海关", "SUCCESS"}, {"NINGBO", "FAIL"}});
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u);
  // The second column starts at the same cell on every line.
  for (const std::string& line : lines) {
    size_t cells = 0;
    size_t i = 0;
    for (; i < line.size(); ++i) {
      if (line[i] == ' ' && line[i + 1] == ' ') break;
    }
    cells = DisplayWidth(line.substr(0, i));
    size_t j = line.find_first_not_of(' ', i);
    EXPECT_EQ(cells + (j - i), 10u) << line;
  }
}

TEST(OutputFormatTest, CsvFieldsAreQuotedOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
}

}  // namespace
}  // namespace customsd
