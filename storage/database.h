// Database: one SQLite connection set up the way customsd needs it.
//
// Open() turns on WAL, synchronous=FULL, foreign keys and a busy timeout, and (unless told not
// to) runs PRAGMA quick_check, failing with kCorruption when it does not answer "ok".
// Write() runs a read-modify-write under BEGIN IMMEDIATE, so a writer takes the write lock
// before it reads and never has to upgrade a read lock (the one case where WAL hands out
// SQLITE_BUSY without waiting). Busy waits are absorbed by the busy timeout and a bounded
// retry, so SQLITE_BUSY does not reach callers while other processes hold the database for
// less than the timeout.
//
// Files: a database Open() creates is mode 0640 whatever the umask, and SQLite gives the -wal and
// -shm it creates the database file's mode; read-write connections keep the -wal and -shm when
// they close (SQLITE_FCNTL_PERSIST_WAL). Together that lets a member of the owner's group, who
// may read the files but not create any in the folder, open the database with `sqlite3` or
// `customsd list` even while nothing else has it open.
//
// Thread safety: a Database is one connection; use it from one thread at a time. Several
// processes and connections may use the same file at once.
#pragma once

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"

namespace customsd {

struct DatabaseOptions {
  std::chrono::milliseconds busy_timeout{10000};
  bool create = true;           // create the file when missing
  bool read_only = false;
  bool quick_check = true;      // PRAGMA quick_check on open
  bool persist_wal = true;      // keep -wal and -shm on close (see the header comment); off for
                                // a file that must end up self-contained, such as a backup
};

// Runs a read-modify-write as one transaction; Database does it on its own connection,
// GroupWriter on a shared one, batched with other threads' writes.
class TransactionWriter {
 public:
  virtual ~TransactionWriter() = default;
  // fn's writes commit together when it returns ok; when it returns an error or throws, none of
  // them remains. Once it returns ok, the writes are on disk (synchronous=FULL).
  virtual Status Write(const std::function<Status(SQLite::Database&)>& fn) = 0;
  // The same, but the commit need not reach the disk before it returns: it survives a crash of
  // the process, and a power loss may undo it until the next synced commit or checkpoint.
  // For writes whose loss the workflow repairs by itself (an answer recorded after a synced
  // "attempt under way": the next start queries before it sends again).
  virtual Status WriteLazy(const std::function<Status(SQLite::Database&)>& fn) { return Write(fn); }
};

class Database final : public TransactionWriter {
 public:
  static StatusOr<std::unique_ptr<Database>> Open(const std::string& path,
                                                  const DatabaseOptions& options = {});

  // Runs fn inside BEGIN IMMEDIATE ... COMMIT. When fn returns an error, or throws, the
  // transaction is rolled back and nothing it wrote remains. SQLite errors become a Status
  // (kConflict for constraint violations, kUnavailable for a lock held past the timeout,
  // kIoError otherwise).
  Status Write(const std::function<Status(SQLite::Database&)>& fn) override;

  // Runs fn for reading (a deferred transaction, so it sees one snapshot).
  Status Read(const std::function<Status(SQLite::Database&)>& fn);

  // Ok when the database answers a read now (its schema table): for /healthz.
  Status CheckReadable();

  // Runs PRAGMA integrity_check (full) or quick_check; ok when SQLite answers "ok".
  Status Check(bool full);

  SQLite::Database& sqlite() { return db_; }
  const std::string& path() const { return path_; }

 private:
  Database(const std::string& path, int flags, int busy_timeout_ms);
  Status Run(const char* begin_sql, const std::function<Status(SQLite::Database&)>& fn);

  SQLite::Database db_;
  std::string path_;
};

// Maps an exception thrown by SQLiteCpp (or anything else) to a Status naming `what`.
Status StatusFromException(const std::exception& e, const std::string& what);

}  // namespace customsd
