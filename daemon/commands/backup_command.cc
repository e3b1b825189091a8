// customsd backup DEST: a consistent copy of the live database while the daemon keeps running
// (storage/backup.h: DEST is either absent or a whole, checked database). Run as root, it
// writes DEST as the database's owner (run_as_owner.h), so DEST's folder must be writable by
// that user.
#include <filesystem>

#include "daemon/commands/commands.h"
#include "storage/backup.h"

namespace customsd {
namespace {

struct BackupOptions {
  std::string dest;
  bool force = false;
};

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

  if (Status s = BackupDatabase(**db, opt.dest); !s.ok()) return Fail(env, s);
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
