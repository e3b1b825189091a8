#include "daemon/commands/command_context.h"

#include <sys/stat.h>

#include <istream>
#include <ostream>
#include <string>

#include "daemon/process/run_as_owner.h"
#include "storage/migrator.h"

namespace customsd {

int ExitCodeFor(const Status& s) {
  if (s.ok()) return kExitOk;
  if (s.code() == StatusCode::kInvalidInput) return kExitUsage;
  if (s.code() == StatusCode::kNotFound) return kExitNotFound;
  return kExitFailure;
}

int Fail(CommandEnv& env, const Status& s) {
  env.err << "customsd: " << s.message() << "\n";
  return ExitCodeFor(s);
}

StatusOr<Config> LoadCommandConfig(const CommandEnv& env) { return LoadConfig(env.config_path); }

std::optional<int> ConfirmBulkChange(CommandEnv& env, const std::string& what,
                                     const std::string& how_to_go_ahead) {
  if (!env.interactive) {
    env.err << "customsd: " << what << "; nothing changed: " << how_to_go_ahead << "\n";
    return kExitUsage;
  }
  env.err << what << ". Go ahead? [y/N] " << std::flush;
  std::string answer;
  std::getline(env.in, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") return std::nullopt;
  env.err << "nothing changed\n";
  return kExitFailure;
}

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
      return Status::FailedPrecondition("database " + path +
                              " does not exist yet (customsd migrate, declare or run create it)");
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
    return Status::FailedPrecondition("database " + path + " has schema version " +
                                      std::to_string(*version) +
                                      ", newer than this customsd knows (" +
                                      std::to_string(known) + ")");
  }
  if (*version < known) {
    return Status::FailedPrecondition("database " + path + " has schema version " +
                                      std::to_string(*version) + "; run 'customsd migrate' to " +
                                      "bring it to " + std::to_string(known));
  }
  return db;
}

}  // namespace customsd
