// Only the "attempt under way" commit before a send must reach the disk before the runner goes
// on; the answers after it may be written lazily (their loss is repaired by check_first).
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "daemon/workflow/job_runner.h"
#include "tests/daemon/workflow/workflow_fixture.h"

namespace customsd {
namespace {

using testing::PlainOrder;

// Writes through the test's connection and notes, for each write, the event it added and
// whether it asked to be synced.
class RecordingWriter final : public TransactionWriter {
 public:
  explicit RecordingWriter(Database& db) : db_(db) {}
  Status Write(const std::function<Status(SQLite::Database&)>& fn) override {
    return Record(fn, true);
  }
  Status WriteLazy(const std::function<Status(SQLite::Database&)>& fn) override {
    return Record(fn, false);
  }
  std::vector<std::pair<std::string, bool>> writes;

 private:
  Status Record(const std::function<Status(SQLite::Database&)>& fn, bool synced) {
    Status s = db_.Write(fn);
    SQLite::Statement q(db_.sqlite(), "SELECT kind FROM events ORDER BY id DESC LIMIT 1");
    q.executeStep();
    writes.emplace_back(q.getColumn(0).getString(), synced);
    return s;
  }
  Database& db_;
};

class JobRunnerDurabilityTest : public testing::WorkflowTest {
 protected:
  JobReport Run(const DeclarationRecord& r, Job::Kind kind) {
    SeededRandom random(7);
    Rules rules(testing::TestSettings(), random);
    JobRunner runner(
        writer_, rules,
        [this](const std::string&) { return testing::Unowned(stack_.client.get()); }, gate_,
        clock_);
    Job job;
    job.kind = kind;
    job.records.push_back(r);
    return runner.Run(job);
  }
  RecordingWriter writer_{*db_};
};

TEST_F(JobRunnerDurabilityTest, TheDeclareSentCommitIsSyncedAndTheAnswerIsNot) {
  DeclarationRecord r = AddOne(PlainOrder("D1"));
  JobReport report = Run(r, Job::Kind::kSubmit);
  EXPECT_EQ(report.requests, 1);
  using W = std::pair<std::string, bool>;
  EXPECT_EQ(writer_.writes, (std::vector<W>{{"declare_sent", true}, {"declared", false}}));
}

TEST_F(JobRunnerDurabilityTest, APollAnswerIsWrittenLazily) {
  DeclarationRecord r = AddOne(PlainOrder("P1"));
  (void)Run(r, Job::Kind::kSubmit);
  wechat_.SetState("P1", "", "SUCCESS");
  writer_.writes.clear();
  (void)Run(Reload(r), Job::Kind::kPoll);
  ASSERT_EQ(writer_.writes.size(), 1u);
  EXPECT_FALSE(writer_.writes[0].second);
  EXPECT_EQ(Reload(r).state, State::kSuccess);
}

}  // namespace
}  // namespace customsd
