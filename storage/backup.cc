#include "storage/backup.h"

#include <SQLiteCpp/Backup.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace customsd {
namespace {

Status SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("backup: cannot open " + path + " to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::IoError("backup: fsync " + path + " failed");
}

Status CopyTo(Database& source, const std::string& tmp) {
  try {
    SQLite::Database dest(tmp, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Backup backup(dest, source.sqlite());
    backup.executeStep();  // -1: all pages in one step, one consistent snapshot
    // A backup is one self-contained file, whatever journal mode the source uses.
    dest.exec("PRAGMA journal_mode=DELETE");
  } catch (const std::exception& e) {
    return StatusFromException(e, "backup to " + tmp);
  }
  DatabaseOptions check;
  check.create = false;
  check.persist_wal = false;  // or its -wal and -shm would stay behind under the .partial name
  auto copy = Database::Open(tmp, check);  // runs quick_check
  if (!copy.ok()) return copy.status();
  (*copy)->sqlite().exec("PRAGMA journal_mode=DELETE");
  return Status::Ok();
}

}  // namespace

Status BackupDatabase(Database& source, const std::string& dest) {
  std::error_code ec;
  const std::string tmp = dest + ".partial";
  std::filesystem::remove(tmp, ec);
  Status s = CopyTo(source, tmp);
  if (s.ok()) s = SyncFile(tmp);
  if (s.ok() && std::rename(tmp.c_str(), dest.c_str()) != 0) {
    s = Status::IoError("backup: cannot rename " + tmp + " to " + dest);
  }
  if (!s.ok()) std::filesystem::remove(tmp, ec);
  return s;
}

}  // namespace customsd
