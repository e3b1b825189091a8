#include "daemon/process/open_database.h"

#include <sys/stat.h>

#include <string>

#include "daemon/process/run_as_owner.h"
#include "storage/migrator.h"

namespace customsd {

StatusOr<std::unique_ptr<Database>> OpenDatabaseFor(const Config& config, OpenMode mode,
                                                    bool quick_check) {
  const std::string& path = config.database.path;
  // Before anything touches the file, so that nothing in the database's folder is root's.
  if (Status s = RunAsDatabaseOwner(path); !s.ok()) return s;
  DatabaseOptions options;
  options.quick_check = quick_check;
  if (mode == OpenMode::kExisting) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      return Status::FailedPrecondition(
          "database " + path + " does not exist yet (customsd migrate, declare or run create it)");
    }
    options.create = false;
  }
  auto db = Database::Open(path, options);
  if (!db.ok()) return db.status();

  const int known = static_cast<int>(EmbeddedMigrations().size());
  if (mode == OpenMode::kCreateAndMigrate) {
    auto report = MigrateToLatest(**db);
    if (!report.ok()) return report.status();
    return db;
  }
  auto version = SchemaVersion(**db);
  if (!version.ok()) return version.status();
  if (*version > known) {
    return Status::FailedPrecondition(
        "database " + path + " has schema version " + std::to_string(*version) +
        ", newer than this customsd knows (" + std::to_string(known) + ")");
  }
  if (*version < known) {
    return Status::FailedPrecondition("database " + path + " has schema version " +
                                      std::to_string(*version) + "; run 'customsd migrate' to " +
                                      "bring it to " + std::to_string(known));
  }
  return db;
}

}  // namespace customsd
