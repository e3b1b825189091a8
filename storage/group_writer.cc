#include "storage/group_writer.h"

#include <utility>

namespace customsd {

GroupWriter::GroupWriter(std::unique_ptr<Database> db) : db_(std::move(db)), cache_(*db_) {}

GroupWriter::~GroupWriter() { Stop(); }

void GroupWriter::Stop() {
  std::unique_lock<std::mutex> lock(mu_);
  stopping_ = true;
  // Writes queued before this still commit, each front in turn.
  idle_.wait(lock, [&] { return !committing_ && queue_.empty(); });
}

Status GroupWriter::Write(const std::function<Status(SQLite::Database&)>& fn) {
  return Enqueue(fn, /*lazy=*/false);
}

Status GroupWriter::WriteLazy(const std::function<Status(SQLite::Database&)>& fn) {
  return Enqueue(fn, /*lazy=*/true);
}

Status GroupWriter::Enqueue(const std::function<Status(SQLite::Database&)>& fn, bool lazy) {
  Pending pending{&fn, lazy, Status::Ok()};
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) return Status::Unavailable("database " + db_->path() + ": writer stopped");
  queue_.push_back(&pending);
  // Not done means still queued (a batch's writes are all done before committing_ drops).
  pending.done_cv.wait(lock, [&] {
    return pending.done || (!committing_ && !queue_.empty() && queue_.front() == &pending);
  });
  if (pending.done) return pending.result;  // a caller ahead of this one committed it

  committing_ = true;
  std::deque<Pending*> batch;
  batch.swap(queue_);
  lock.unlock();
  RunBatch(batch);
  lock.lock();
  committing_ = false;
  counts_.writes += static_cast<int64_t>(batch.size());
  ++counts_.batches;
  // Notified under the lock: a waiter that sees done returns and destroys its Pending, which
  // it cannot do before this caller lets go of mu_.
  for (Pending* p : batch) {
    p->done = true;
    if (p != &pending) p->done_cv.notify_one();
  }
  if (!queue_.empty()) {
    queue_.front()->done_cv.notify_one();  // it commits the next batch
  } else if (stopping_) {
    idle_.notify_all();
  }
  return pending.result;
}

void GroupWriter::RunBatch(const std::deque<Pending*>& batch) {
  StatementCache::Scope use(cache_);
  bool full = false;
  for (const Pending* p : batch) full = full || !p->lazy;
  if (full != synchronous_full_) {
    // Outside a transaction, where SQLite lets the setting change.
    try {
      cache_.Get(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL").exec();
      synchronous_full_ = full;
    } catch (const std::exception& e) {
      // Left as it was: FULL stays FULL; NORMAL left on for a synced batch must not commit it.
      if (full) {
        for (Pending* p : batch) p->result = StatusFromException(e, "database " + db_->path());
        return;
      }
    }
  }
  if (synchronous_full_) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_.synced;
  }
  Status s = db_->Write([&](SQLite::Database& sql) {
    for (Pending* p : batch) {
      cache_.Get("SAVEPOINT group_write").exec();
      try {
        p->result = (*p->fn)(sql);
      } catch (const std::exception& e) {
        p->result = StatusFromException(e, "database " + db_->path());
      }
      // An error that ended the whole transaction makes this throw: Database::Write then
      // rolls back and every write of the batch gets that error below.
      if (!p->result.ok()) cache_.Get("ROLLBACK TO group_write").exec();
      cache_.Get("RELEASE group_write").exec();
    }
    return Status::Ok();
  });
  if (!s.ok()) {
    for (Pending* p : batch) p->result = s;
  }
}

GroupWriter::Counts GroupWriter::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

size_t GroupWriter::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

}  // namespace customsd
