// A database that stops taking writes (full disk, read-only file) is a state of the daemon: no
// request goes to WeChat Pay while nothing could be recorded, the journal gets a line per
// change and per probe (not per declaration), and work resumes once a probe write commits.
// The connection is made read-only with PRAGMA query_only, which fails writes the way a
// read-only file does (SQLITE_READONLY) while reads go on.
#include <gtest/gtest.h>

#include "daemon/workflow/engine.h"
#include "tests/daemon/alerts/alert_test_support.h"
#include "tests/daemon/workflow/workflow_fixture.h"

namespace customsd {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::PlainOrder;

class StorageTroubleTest : public testing::WorkflowTest {
 protected:
  void SetReadOnly(bool on) {
    db_->sqlite().exec(on ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0");
  }
  int Requests() const {
    return wechat_.Count("declare") + wechat_.Count("query") + wechat_.Count("modify") +
           wechat_.Count("redeclare");
  }
  void AddOrders(int n, const std::string& prefix) {
    for (int i = 0; i < n; ++i) AddOne(PlainOrder(prefix + std::to_string(i)));
  }
};

TEST_F(StorageTroubleTest, AFailedWriteStopsEverySendUntilAProbeCommits) {
  AddOrders(30, "N");
  testing::CapturedLog log;
  std::vector<bool> changes;
  engine_->storage().set_listener(
      [&](const StorageHealth::Change& change) { changes.push_back(change.writable); });
  SetReadOnly(true);
  engine_->RunDueInline(gate_);
  // The first declare's "attempt under way" could not be committed: nothing was sent, and no
  // other declaration was tried.
  EXPECT_EQ(Requests(), 0);
  EXPECT_FALSE(engine_->storage().writable());
  EXPECT_NE(engine_->storage().reason().find("readonly"), std::string::npos)
      << engine_->storage().reason();
  // Passes before the probe is due touch nothing; a due probe that fails backs off.
  for (int i = 0; i < 100; ++i) engine_->RunDueInline(gate_);
  RunFor(seconds(1), 60);
  EXPECT_EQ(Requests(), 0);
  // One line when it went, one per failed probe (1 s doubling: about six in the minute), none
  // per declaration.
  EXPECT_EQ(log.Count("database not writable"), 1u);
  EXPECT_LE(log.Count("database still not writable"), 7u);
  EXPECT_GE(log.Count("database still not writable"), 3u);
  EXPECT_LE(log.Count("cannot record"), 1u) << log.text();

  SetReadOnly(false);
  RunFor(minutes(1), 2);
  EXPECT_TRUE(engine_->storage().writable());
  EXPECT_EQ(wechat_.Count("declare"), 30);
  EXPECT_EQ(changes, (std::vector<bool>{false, true}));
  EXPECT_EQ(log.Count("database writable again"), 1u);
}

TEST_F(StorageTroubleTest, PollsStopWhileTheirAnswersCannotBeStored) {
  AddOrders(10, "P");
  engine_->RunDueInline(gate_);  // ten declares, now polling
  ASSERT_EQ(wechat_.Count("declare"), 10);
  const int before = Requests();
  SetReadOnly(true);
  RunFor(seconds(10), 30);  // five minutes of due polls
  // The first poll whose answer could not be stored is the only request.
  EXPECT_LE(Requests() - before, 1);
  SetReadOnly(false);
  for (int i = 0; i < 10; ++i) wechat_.SetState("P" + std::to_string(i), "", "SUCCESS");
  RunFor(seconds(30), 6);
  for (int i = 0; i < 10; ++i) {
    auto r = store_.Find(KeyOf(PlainOrder("P" + std::to_string(i))));
    ASSERT_TRUE(r.ok() && r->has_value());
    EXPECT_EQ((*r)->state, State::kSuccess) << i;
  }
  EXPECT_EQ(wechat_.Count("declare"), 10);  // nothing sent twice
}

TEST_F(StorageTroubleTest, ProbesBackOffWithJitterUpToAMinute) {
  SeededRandom random(7);
  StorageHealth health(clock_, random);
  ASSERT_TRUE(health.Failed(Status::IoError("disk full")));
  EXPECT_FALSE(health.Failed(Status::IoError("disk full")));  // already known
  std::vector<int64_t> waits;
  for (int i = 0; i < 10; ++i) {
    waits.push_back(health.UntilProbe().count());
    clock_.Advance(health.UntilProbe());
    ASSERT_TRUE(health.ProbeDue());
    health.ProbeFailed(Status::IoError("disk full"));
  }
  EXPECT_GE(waits[0], 500);
  EXPECT_LE(waits[0], 1000);
  EXPECT_GE(waits[9], 30'000);  // equal jitter: at least half the 60 s cap
  EXPECT_LE(waits[9], 60'000);
  EXPECT_FALSE(health.ProbeDue());
  health.Recovered();
  EXPECT_TRUE(health.writable());
  EXPECT_EQ(health.UntilProbe().count(), 0);
}

TEST_F(StorageTroubleTest, AFailureRightAfterAPassingProbeIsTheSameEpisode) {
  SeededRandom random(7);
  StorageHealth health(clock_, random);
  std::vector<StorageHealth::Change> changes;
  health.set_listener([&](const StorageHealth::Change& c) { changes.push_back(c); });
  ASSERT_TRUE(health.Failed(Status::IoError("disk full")));
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(health.UntilProbe());
    health.ProbeFailed(Status::IoError("disk full"));
  }
  const auto before = health.UntilProbe();
  clock_.Advance(before);
  health.Recovered();  // the probe's one row fitted
  EXPECT_TRUE(health.on_trial());
  ASSERT_TRUE(health.Failed(Status::IoError("disk full")));  // the next real commit did not
  // The backoff went on (sixth step: at least half of 32 s) rather than back to 1 s.
  EXPECT_GE(health.UntilProbe(), std::chrono::seconds(16));
  ASSERT_EQ(changes.size(), 2u);  // the trial was never reported as recovery
  EXPECT_TRUE(changes[0].new_episode);
  EXPECT_FALSE(changes[1].writable);
  EXPECT_FALSE(changes[1].new_episode);  // no second alert
  clock_.Advance(health.UntilProbe());
  health.Recovered();
  health.Confirmed();  // a job's write committed
  EXPECT_FALSE(health.on_trial());
  EXPECT_TRUE(health.ready());
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_TRUE(changes[2].writable);
  ASSERT_TRUE(health.Failed(Status::IoError("disk full")));
  EXPECT_TRUE(changes.back().new_episode);  // a new episode later is alerted again
  EXPECT_LE(health.UntilProbe(), std::chrono::seconds(1));
}

// A full disk can take a probe's one-row update in old WAL space while every real commit fails:
// reporting ready on the probe made /healthz flap 503 -> 200 -> 503 (seen in CI).
TEST_F(StorageTroubleTest, APassingProbeIsNotReadyUntilARealWriteCommits) {
  SeededRandom random(7);
  StorageHealth health(clock_, random);
  std::vector<bool> changes;
  health.set_listener([&](const StorageHealth::Change& c) { changes.push_back(c.writable); });
  ASSERT_TRUE(health.Failed(Status::IoError("disk full")));
  EXPECT_FALSE(health.ready());
  clock_.Advance(health.UntilProbe());
  health.Recovered();
  EXPECT_TRUE(health.writable());  // the engine may try one job
  EXPECT_FALSE(health.ready());
  EXPECT_NE(health.reason().find("probe"), std::string::npos) << health.reason();
  EXPECT_EQ(changes, (std::vector<bool>{false}));
  health.Confirmed();
  EXPECT_TRUE(health.ready());
  EXPECT_EQ(health.reason(), "");
  EXPECT_EQ(changes, (std::vector<bool>{false, true}));
}

TEST_F(StorageTroubleTest, AnIdleDaemonEndsItsTrialOnThePassingProbe) {
  // The last declaration's write failed and nothing else is waiting: readiness must not wait
  // for work that may never come.
  ASSERT_TRUE(engine_->storage().Failed(Status::IoError("disk I/O error")));
  RunFor(seconds(2), 4);
  EXPECT_TRUE(engine_->storage().ready()) << engine_->storage().reason();
}

TEST_F(StorageTroubleTest, WorkDueLaterIsTheTrialOfAnIdleMoment) {
  AddOrders(3, "L");
  engine_->RunDueInline(gate_);  // declared; polls are due later
  ASSERT_EQ(wechat_.Count("declare"), 3);
  ASSERT_TRUE(engine_->storage().Failed(Status::IoError("disk I/O error")));
  clock_.Advance(engine_->storage().UntilProbe());
  engine_->RunDueInline(gate_);  // the probe passes; no poll is due yet
  EXPECT_TRUE(engine_->storage().writable());
  EXPECT_FALSE(engine_->storage().ready());
  for (int i = 0; i < 3; ++i) wechat_.SetState("L" + std::to_string(i), "", "SUCCESS");
  RunFor(minutes(1), 6);  // the polls come due and their answers commit
  EXPECT_TRUE(engine_->storage().ready());
}

}  // namespace
}  // namespace customsd
