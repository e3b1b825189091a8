#include "storage/database.h"

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/statement_cache.h"

namespace customsd {
namespace {

// A lock can still surface as SQLITE_BUSY past the busy handler (e.g. while another
// connection recovers the WAL); these are worth a few more tries before giving up.
constexpr int kBusyRetries = 3;

bool IsBusy(int code) {
  int primary = code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

// Owner read-write, group read, others nothing: the group is how operators read the database
// without sudo. SQLite would create the file as 0644 less the umask (0600 under the unit's
// UMask=0077).
constexpr mode_t kDatabaseFileMode = 0640;

// Creates an empty file (SQLite's empty database) with exactly kDatabaseFileMode. A file that
// exists is left as it is; one that cannot be created is left to SQLite's open to report.
Status CreateWithMode(const std::string& path) {
  if (path.empty() || path == ":memory:") return Status::Ok();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  kDatabaseFileMode);
  if (fd < 0) return Status::Ok();
  // open() applied the umask to the mode; fchmod does not.
  int rc = ::fchmod(fd, kDatabaseFileMode);
  int saved_errno = errno;
  ::close(fd);
  if (rc != 0) {
    ::unlink(path.c_str());
    return Status::IoError("database " + path + ": cannot set its mode: " +
                           std::strerror(saved_errno));
  }
  return Status::Ok();
}

}  // namespace

Status StatusFromException(const std::exception& e, const std::string& what) {
  if (const auto* se = dynamic_cast<const SQLite::Exception*>(&e)) {
    int primary = se->getErrorCode() & 0xff;
    if (primary == SQLITE_CONSTRAINT) return Status::Conflict(what + ": " + se->what());
    if (IsBusy(primary)) return Status::Unavailable(what + ": database is locked: " + se->what());
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
      return Status::Corruption(what + ": " + se->what());
    }
    return Status::IoError(what + ": " + se->what());
  }
  return Status::Internal(what + ": " + e.what());
}

Database::Database(const std::string& path, int flags, int busy_timeout_ms)
    : db_(path, flags, busy_timeout_ms), path_(path) {}

StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                   const DatabaseOptions& options) {
  int flags = options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE;
  if (options.create && !options.read_only) {
    flags |= SQLite::OPEN_CREATE;
    CUSTOMSD_RETURN_IF_ERROR(CreateWithMode(path));
  }
  std::unique_ptr<Database> db;
  for (int attempt = 0;; ++attempt) {
    try {
      db.reset(new Database(path, flags, static_cast<int>(options.busy_timeout.count())));
      if (!options.read_only) {
        // journal_mode=WAL is persistent in the file; setting it again is a no-op.
        db->db_.exec("PRAGMA journal_mode=WAL");
        // A reader that cannot create files in the folder can open a WAL database only when
        // its -wal and -shm exist; the last connection to close would otherwise delete them.
        int persist = options.persist_wal ? 1 : 0;
        sqlite3_file_control(db->db_.getHandle(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
        // A kept -wal is truncated on close only under a size limit; without one it would
        // keep the size of the largest batch ever written.
        db->db_.exec("PRAGMA journal_size_limit=67108864");
      }
      db->db_.exec("PRAGMA synchronous=FULL");
      db->db_.exec("PRAGMA foreign_keys=ON");
      // Reading the schema here surfaces "file is not a database" at open, not later.
      db->db_.exec("SELECT count(*) FROM sqlite_schema");
      break;
    } catch (const SQLite::Exception& e) {
      if (IsBusy(e.getErrorCode()) && attempt < kBusyRetries) continue;
      return StatusFromException(e, "database " + path);
    }
  }
  if (options.quick_check) {
    Status s = db->Check(/*full=*/false);
    if (!s.ok()) return s;
  }
  return db;
}

Status Database::Write(const std::function<Status(SQLite::Database&)>& fn) {
  return Run("BEGIN IMMEDIATE", fn);
}

Status Database::Read(const std::function<Status(SQLite::Database&)>& fn) {
  return Run("BEGIN", fn);
}

Status Database::CheckReadable() {
  return Read([](SQLite::Database& sql) {
    sql.execAndGet("SELECT count(*) FROM sqlite_schema");
    return Status::Ok();
  });
}

Status Database::Run(const char* begin_sql, const std::function<Status(SQLite::Database&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    bool begun = false;
    try {
      PreparedStatement(db_, begin_sql)->exec();
      begun = true;
      Status s = fn(db_);
      if (!s.ok()) {
        db_.exec("ROLLBACK");
        return s;
      }
      PreparedStatement(db_, "COMMIT")->exec();
      return Status::Ok();
    } catch (const std::exception& e) {
      if (begun) (void)db_.tryExec("ROLLBACK");
      const auto* se = dynamic_cast<const SQLite::Exception*>(&e);
      if (se != nullptr && IsBusy(se->getErrorCode()) && attempt < kBusyRetries) continue;
      return StatusFromException(e, "database " + path_);
    }
  }
}

Status Database::Check(bool full) {
  try {
    SQLite::Statement q(db_, full ? "PRAGMA integrity_check" : "PRAGMA quick_check");
    std::string problems;
    while (q.executeStep()) {
      std::string line = q.getColumn(0).getString();
      if (line == "ok") continue;
      if (!problems.empty()) problems += "; ";
      problems += line;
    }
    if (problems.empty()) return Status::Ok();
    return Status::Corruption("database " + path_ + " failed " +
                              (full ? "integrity_check" : "quick_check") + ": " + problems);
  } catch (const std::exception& e) {
    return StatusFromException(e, "database " + path_);
  }
}

}  // namespace customsd
