// customsd backup DEST: a consistent copy of the live database, taken with SQLite's online
// backup API while the daemon keeps running. The copy is written beside DEST, checked with
// quick_check, synced, and only then renamed into place, so DEST is either absent or a whole,
// checked database. Run as root, it writes DEST as the database's owner (run_as_owner.h), so
// DEST's folder must be writable by that user.
#include <SQLiteCpp/Backup.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "daemon/commands/commands.h"

namespace customsd {
namespace {

struct BackupOptions {
  std::string dest;
  bool force = false;
};

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

int RunBackup(CommandEnv& env, const BackupOptions& opt) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(opt.dest, ec) && !opt.force) {
    return Fail(env, Status::InvalidInput("backup: " + opt.dest +
                                          " exists; remove it or pass --force to replace it"));
  }
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());

  const std::string tmp = opt.dest + ".partial";
  fs::remove(tmp, ec);
  Status s = CopyTo(**db, tmp);
  if (s.ok()) s = SyncFile(tmp);
  if (s.ok() && std::rename(tmp.c_str(), opt.dest.c_str()) != 0) {
    s = Status::IoError("backup: cannot rename " + tmp + " to " + opt.dest);
  }
  if (!s.ok()) {
    fs::remove(tmp, ec);
    return Fail(env, s);
  }
  env.out << "backup: " << config->database.path << " -> " << opt.dest << " (quick_check ok)\n";
  return kExitOk;
}

}  // namespace

void AddBackupCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<BackupOptions>();
  CLI::App* cmd = app.add_subcommand("backup", "consistent copy of the live database");
  cmd->add_option("DEST", opt->dest, "file to write")->required();
  cmd->add_flag("--force", opt->force, "replace DEST if it exists");
  cmd->callback([opt, &env] { env.exit_code = RunBackup(env, *opt); });
}

}  // namespace customsd
