// GroupWriter commits many threads' writes in shared transactions, and each write still gets
// all-or-nothing for itself.
#include "storage/group_writer.h"

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace customsd {
namespace {

using std::chrono::seconds;

class GroupWriterTest : public ::testing::Test {
 protected:
  GroupWriterTest() {
    reader_ = Open();
    reader_->sqlite().exec("CREATE TABLE t (x TEXT NOT NULL)");
  }

  std::unique_ptr<Database> Open(DatabaseOptions options = {}) {
    auto db = Database::Open(dir_.File("w.db"), options);
    EXPECT_TRUE(db.ok()) << db.status().message();
    return std::move(db).value();
  }

  int64_t Rows(const std::string& where = "1") {
    SQLite::Statement q(reader_->sqlite(), "SELECT count(*) FROM t WHERE " + where);
    q.executeStep();
    return q.getColumn(0).getInt64();
  }

  static std::function<Status(SQLite::Database&)> Insert(const std::string& x) {
    return [x](SQLite::Database& sql) {
      SQLite::Statement q(sql, "INSERT INTO t (x) VALUES (?)");
      q.bind(1, x);
      q.exec();
      return Status::Ok();
    };
  }

  // Waits until `done` holds, at most 10 s; false at the deadline.
  static bool Eventually(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }
  // Waits until `n` writes wait behind the running one.
  static bool WaitQueued(const GroupWriter& w, size_t n) {
    return Eventually([&] { return w.queued() >= n; });
  }

  // A write that sets `started` and then keeps its commit running until `n` writes wait behind
  // it, so that those share the next batch.
  static std::function<Status(SQLite::Database&)> HoldUntilQueued(const GroupWriter& w, size_t n,
                                                                  std::atomic<bool>& started) {
    return [&w, n, &started](SQLite::Database& sql) {
      started = true;
      if (!WaitQueued(w, n)) return Status::Internal("the others never queued");
      return Insert("held")(sql);
    };
  }

  // Insert(name), noting the thread it ran on.
  static std::function<Status(SQLite::Database&)> InsertNotingThread(const std::string& name,
                                                                     std::thread::id& ran_on) {
    return [name, &ran_on](SQLite::Database& sql) {
      ran_on = std::this_thread::get_id();
      return Insert(name)(sql);
    };
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> reader_;
};

TEST_F(GroupWriterTest, AFailedWriteIsRolledBackAloneAndTheOthersOfItsBatchCommit) {
  GroupWriter writer(Open());
  // The first write holds the writer until four more are queued, so those share a batch.
  std::atomic<bool> started{false};
  std::thread first([&] {
    Status s = writer.Write([&](SQLite::Database& sql) {
      started = true;
      if (!WaitQueued(writer, 4)) return Status::Internal("the others never queued");
      return Insert("first")(sql);
    });
    EXPECT_TRUE(s.ok()) << s.message();
  });
  (void)Eventually([&] { return started.load(); });
  std::vector<Status> results(4, Status::Ok());
  std::vector<std::function<Status(SQLite::Database&)>> writes = {
      Insert("good-1"),
      [](SQLite::Database& sql) {
        (void)Insert("refused")(sql);
        return Status::Conflict("lost the race");
      },
      [](SQLite::Database& sql) -> Status {
        (void)Insert("threw")(sql);
        throw std::runtime_error("boom");
      },
      Insert("good-2")};
  std::vector<std::thread> threads;
  // Queued one after the other, so the batch runs them in this order.
  for (size_t i = 0; i < writes.size(); ++i) {
    EXPECT_TRUE(WaitQueued(writer, i)) << i;
    threads.emplace_back([&, i] { results[i] = writer.Write(writes[i]); });
  }
  first.join();
  for (std::thread& t : threads) t.join();

  EXPECT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_EQ(results[1].code(), StatusCode::kConflict);
  EXPECT_EQ(results[2].code(), StatusCode::kInternal);
  EXPECT_TRUE(results[3].ok()) << results[3].message();
  EXPECT_EQ(Rows(), 3);
  EXPECT_EQ(Rows("x IN ('refused', 'threw')"), 0);
  GroupWriter::Counts counts = writer.counts();
  EXPECT_EQ(counts.writes, 5);
  EXPECT_EQ(counts.batches, 2);
}

TEST_F(GroupWriterTest, ABatchIsSyncedWhenAnyOfItsWritesAsksForIt) {
  GroupWriter writer(Open());
  ASSERT_TRUE(writer.WriteLazy(Insert("lazy")).ok());
  EXPECT_EQ(writer.counts().synced, 0);
  ASSERT_TRUE(writer.Write(Insert("synced")).ok());
  EXPECT_EQ(writer.counts().synced, 1);
  // A lazy write and a synced one in the same batch: the batch is synced.
  std::atomic<bool> started{false};
  std::thread first(
      [&] { EXPECT_TRUE(writer.WriteLazy(HoldUntilQueued(writer, 2, started)).ok()); });
  (void)Eventually([&] { return started.load(); });
  std::thread lazy([&] { EXPECT_TRUE(writer.WriteLazy(Insert("lazy-2")).ok()); });
  EXPECT_TRUE(WaitQueued(writer, 1));
  std::thread synced([&] { EXPECT_TRUE(writer.Write(Insert("synced-2")).ok()); });
  first.join();
  lazy.join();
  synced.join();
  GroupWriter::Counts counts = writer.counts();
  EXPECT_EQ(counts.batches, 4);
  EXPECT_EQ(counts.synced, 2);
  EXPECT_EQ(Rows(), 5);
}

TEST_F(GroupWriterTest, EveryWriteOfManyThreadsCommitsExactlyOnce) {
  GroupWriter writer(Open());
  constexpr int kThreads = 8;
  constexpr int kWrites = 40;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        if (!writer.Write(Insert(std::to_string(t) + "-" + std::to_string(i))).ok()) ++failed;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(Rows(), kThreads * kWrites);
  SQLite::Statement distinct(reader_->sqlite(), "SELECT count(DISTINCT x) FROM t");
  distinct.executeStep();
  EXPECT_EQ(distinct.getColumn(0).getInt64(), kThreads * kWrites);
  EXPECT_EQ(writer.counts().writes, kThreads * kWrites);
}

// No thread of its own: the caller that finds no commit under way commits, with the writes queued
// behind it, and those callers only wait (no hand-off to a writer thread and back).
TEST_F(GroupWriterTest, TheFrontCallerCommitsItsBatchOnItsOwnThread) {
  GroupWriter writer(Open());
  std::thread::id ran_on;
  ASSERT_TRUE(writer.Write(InsertNotingThread("alone", ran_on)).ok());
  EXPECT_EQ(ran_on, std::this_thread::get_id());

  // A write queued behind a running commit runs on the thread that commits the next batch:
  // its own, since it is that batch's front.
  std::atomic<bool> started{false};
  std::thread first([&] { EXPECT_TRUE(writer.Write(HoldUntilQueued(writer, 2, started)).ok()); });
  (void)Eventually([&] { return started.load(); });
  std::thread::id front_id, front_ran_on, behind_ran_on;
  std::thread front([&] {
    front_id = std::this_thread::get_id();
    EXPECT_TRUE(writer.Write(InsertNotingThread("front", front_ran_on)).ok());
  });
  EXPECT_TRUE(WaitQueued(writer, 1));
  std::thread behind(
      [&] { EXPECT_TRUE(writer.Write(InsertNotingThread("behind", behind_ran_on)).ok()); });
  first.join();
  front.join();
  behind.join();
  EXPECT_EQ(front_ran_on, front_id);
  EXPECT_EQ(behind_ran_on, front_id);  // committed by the front of its batch
  EXPECT_EQ(writer.counts().batches, 3);
  EXPECT_EQ(Rows(), 4);
}

TEST_F(GroupWriterTest, WhenTheTransactionCannotBeginEveryWriteOfTheBatchFailsAndNothingIsStored) {
  DatabaseOptions quick;
  quick.busy_timeout = std::chrono::milliseconds(20);
  GroupWriter writer(Open(quick));
  // Another process holds the write lock for longer than the writer waits.
  reader_->sqlite().exec("BEGIN IMMEDIATE");
  Status s = writer.Write(Insert("blocked"));
  reader_->sqlite().exec("ROLLBACK");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.message();
  EXPECT_EQ(Rows(), 0);
  // The writer goes on afterwards.
  EXPECT_TRUE(writer.Write(Insert("later")).ok());
  EXPECT_EQ(Rows(), 1);
}

TEST_F(GroupWriterTest, AWriteAfterStopFailsAndStoresNothing) {
  GroupWriter writer(Open());
  ASSERT_TRUE(writer.Write(Insert("before")).ok());
  writer.Stop();
  Status s = writer.Write(Insert("after"));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(Rows(), 1);
}

}  // namespace
}  // namespace customsd
