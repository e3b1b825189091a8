// Every error-code row of WeChat's declare and query pages (tests/conformance/error_codes.tsv),
// sent by wechatpay-mock in each listed status and spelling: the client's outcome class and the
// workflow's next step. The first test holds the table to the seed pages themselves.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "tests/conformance/conformance_fixture.h"
#include "tests/conformance/seed_pages.h"

namespace customsd::conformance {
namespace {

struct ErrorRow {
  std::string page;
  std::vector<std::string> spellings;
  std::vector<int> statuses;
  std::string message;
  std::string outcome;
  std::string next;
};

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::stringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::vector<ErrorRow> LoadErrorRows() {
  std::ifstream in(std::string(CUSTOMSD_SOURCE_DIR) + "/tests/conformance/error_codes.tsv");
  std::vector<ErrorRow> rows;
  bool header = true;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream cut(line);
    for (std::string cell; std::getline(cut, cell, '\t');) cells.push_back(cell);
    if (header) {  // the column names
      header = false;
      continue;
    }
    if (cells.size() != 6) return {};  // a malformed table runs no row; the coverage test fails
    ErrorRow row{cells[0], Words(cells[1]), {}, cells[3], cells[4], cells[5]};
    for (const std::string& s : Words(cells[2])) row.statuses.push_back(std::stoi(s));
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST(ErrorCodeTableTest, ListsEverySeedRowOnceAndNoOther) {
  std::multiset<std::string> seed, table;
  size_t seed_rows = 0;
  for (const char* page : {"declare", "query"}) {
    std::vector<SeedErrorRow> rows = ReadSeedErrorRows(page);
    ASSERT_FALSE(rows.empty()) << "cannot read the error table of the " << page << " page in "
                               << SeedDir();
    seed_rows += rows.size();
    for (const SeedErrorRow& r : rows) seed.insert(r.page + " " + r.code + " " + r.message);
  }
  for (const ErrorRow& r : LoadErrorRows()) {
    ASSERT_FALSE(r.spellings.empty() || r.statuses.empty()) << r.message;
    table.insert(r.page + " " + r.spellings[0] + " " + r.message);
  }
  EXPECT_EQ(table, seed);
  // The README's conformance section quotes these counts.
  EXPECT_EQ(ReadSeedErrorRows("declare").size(), 25u);
  EXPECT_EQ(ReadSeedErrorRows("query").size(), 9u);
  EXPECT_EQ(seed_rows, 34u);
}

// One row in one status and one spelling.
struct ErrorCase {
  ErrorRow row;
  int status;
  std::string code;
};

std::vector<ErrorCase> Cases() {
  std::vector<ErrorCase> cases;
  for (const ErrorRow& row : LoadErrorRows()) {
    for (int status : row.statuses) {
      for (const std::string& code : row.spellings) cases.push_back({row, status, code});
    }
  }
  return cases;
}

OutcomeClass ClassNamed(const std::string& name) {
  for (OutcomeClass c : {OutcomeClass::kOk, OutcomeClass::kNotFound, OutcomeClass::kRetry,
                         OutcomeClass::kUnknown, OutcomeClass::kRefused,
                         OutcomeClass::kAuthProblem}) {
    if (ToString(c) == name) return c;
  }
  ADD_FAILURE() << "no outcome class " << name;
  return OutcomeClass::kUnknown;
}

class ErrorCodeTest : public ConformanceTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(ErrorCodeTest, TheClientClassifiesItAndTheWorkflowTakesTheDocumentedNextStep) {
  const ErrorCase& c = GetParam();
  Start();
  const bool declare = c.row.page == "declare";
  const mock::Endpoint endpoint = declare ? mock::Endpoint::kDeclare : mock::Endpoint::kQuery;

  // What the client makes of the answer.
  server_->ScriptError(endpoint, c.status, c.code, c.row.message);
  ApiOutcome o = declare ? client().Declare(testing::PlainOrder("PROBE1")).outcome
                         : client()
                               .Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no",
                                       "PROBE1", "SHANGHAI_ZS"})
                               .outcome;
  EXPECT_EQ(o.cls, ClassNamed(c.row.outcome)) << o.ToString();
  EXPECT_EQ(o.http_status, c.status);
  EXPECT_EQ(o.code, c.code);
  EXPECT_EQ(o.message, c.row.message);
  EXPECT_EQ(o.merchant_level, c.row.next == "hold") << o.ToString();

  // What the workflow does next.
  DeclarationRecord r = AddOne(testing::PlainOrder("ROW1"));
  const Phase step = declare ? Phase::kSubmit : Phase::kPoll;
  if (!declare) DeclareAndWaitForPoll(r);
  const int64_t alerts_before = Alerts();
  server_->ScriptError(endpoint, c.status, c.code, c.row.message);
  engine_->RunDueInline(gate_);
  DeclarationRecord after = Reload(r);
  const bool held = engine_->holds().Cause(testing::kTestMchid).has_value();
  if (c.row.next == "attention") {
    EXPECT_EQ(after.phase, Phase::kAttention);
    EXPECT_EQ(Alerts() - alerts_before, 1);
    EXPECT_EQ(after.last_error_code, c.code);
    EXPECT_EQ(after.last_http_status, c.status);
    EXPECT_FALSE(held);
  } else if (c.row.next == "retry" || c.row.next == "poll_again") {
    EXPECT_EQ(after.phase, step);
    EXPECT_EQ(after.failures, 1);
    EXPECT_GT(after.next_attempt_at, UnixMillis(clock_.Now()));
    EXPECT_EQ(Alerts() - alerts_before, 0);
    EXPECT_FALSE(held);
  } else if (c.row.next == "hold") {
    // The merchant's setup at this customs: never the whole merchant. A send waits for the
    // (merchant, customs) hold's probe; a poll is not held, but retried with backoff.
    EXPECT_EQ(after.phase, step);
    EXPECT_EQ(after.last_error_code, c.code);
    EXPECT_FALSE(held);
    EXPECT_EQ(engine_->holds().Cause(testing::kTestMchid, "SHANGHAI_ZS").has_value(), declare);
    if (!declare) {
      EXPECT_EQ(after.failures, 1);
      EXPECT_GT(after.next_attempt_at, UnixMillis(clock_.Now()));
      EXPECT_EQ(Alerts() - alerts_before, 0);
    }
  } else {
    ADD_FAILURE() << "no next step " << c.row.next;
  }
}

std::string CaseName(const ::testing::TestParamInfo<ErrorCase>& info) {
  std::string name = info.param.row.page + "_" + info.param.code + "_" +
                     std::to_string(info.param.status) + "_" + std::to_string(info.index);
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(SeedRows, ErrorCodeTest, ::testing::ValuesIn(Cases()), CaseName);

}  // namespace
}  // namespace customsd::conformance
