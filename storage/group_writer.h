// GroupWriter: one connection on which the writes of many threads commit together.
//
// Write(fn) queues fn and blocks until the transaction that ran it has committed or failed.
// When it returns ok, fn's changes are as durable as with Database::Write (synchronous=FULL):
// a caller that commits "attempt under way" before a request goes out still has that
// guarantee. Writes queued while a commit is under way run together in the next transaction,
// each inside its own SAVEPOINT: a write that returns an error (kConflict from a guarded update)
// or throws is rolled back alone and gets its own error; the others commit. When BEGIN or
// COMMIT fails, every write of that batch gets the error and none of them is stored.
//
// Why: the workers used to commit each transition in its own transaction on their own
// connection: one fsync per transition, 16 connections taking turns at the write lock and
// re-reading the pages the others had changed. One writer makes it one fsync per batch, and
// it keeps a StatementCache, so the writes' statements are prepared once.
//
// Who commits (LevelDB's DBImpl::Write): the caller at the front of the queue when no commit is
// under way runs the batch on its own thread, with everything queued behind it, and then wakes
// the next front. A write that finds the writer idle commits without a thread switch; there is
// no writer thread to wake and to wake its callers back (two context switches per batch, which
// the benchmark's profile counts among the daemon's largest costs).
//
// Thread safety: Write may be called from any thread, but not from inside a write (it would
// wait for itself). Stop() (also run by the destructor) lets the queued writes finish and waits
// for them; a Write after Stop fails with kUnavailable and stores nothing.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "storage/database.h"
#include "storage/statement_cache.h"

namespace customsd {

class GroupWriter final : public TransactionWriter {
 public:
  explicit GroupWriter(std::unique_ptr<Database> db);
  ~GroupWriter() override;
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;

  Status Write(const std::function<Status(SQLite::Database&)>& fn) override;
  // Commits with synchronous=NORMAL (no fsync) when nothing else in its batch asks for FULL.
  Status WriteLazy(const std::function<Status(SQLite::Database&)>& fn) override;
  void Stop();

  struct Counts {
    int64_t writes = 0;   // writes that ran (committed or not)
    int64_t batches = 0;  // transactions they ran in
    int64_t synced = 0;   // of which ran with synchronous=FULL (an fsync at commit)
  };
  Counts counts() const;
  // Writes waiting for the next transaction (not the one running).
  size_t queued() const;

 private:
  // Each waiter has a condition variable of its own, so a commit wakes the writers of its
  // batch only, not those queued for the next one.
  struct Pending {
    const std::function<Status(SQLite::Database&)>* fn;
    bool lazy;
    Status result;
    bool done = false;
    std::condition_variable done_cv;
  };

  Status Enqueue(const std::function<Status(SQLite::Database&)>& fn, bool lazy);
  // Runs `batch` in one transaction; called by the committing caller, outside mu_.
  void RunBatch(const std::deque<Pending*>& batch);

  std::unique_ptr<Database> db_;
  // Used only by the committing caller (committing_ hands it over under mu_); destroyed
  // before db_ closes.
  StatementCache cache_;
  bool synchronous_full_ = true;  // the connection's setting; only the committing caller uses it
  mutable std::mutex mu_;
  std::condition_variable idle_;  // Stop() waits for the last commit
  std::deque<Pending*> queue_;    // waiting for the next transaction, not in the running one
  bool committing_ = false;
  bool stopping_ = false;
  Counts counts_;
};

}  // namespace customsd
