// customsd migrate: create the database or bring its schema up to date, then quick_check it.
// `run` migrates on start as well; this command lets an operator do it (and see it) first.
// Run as root, it becomes the database's owner before creating anything (run_as_owner.h).
#include "daemon/commands/commands.h"
#include "daemon/process/run_as_owner.h"
#include "storage/migrator.h"

namespace customsd {
namespace {

int RunMigrate(CommandEnv& env) {
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  if (Status s = RunAsDatabaseOwner(config->database.path); !s.ok()) return Fail(env, s);
  DatabaseOptions options;
  auto db = Database::Open(config->database.path, options);
  if (!db.ok()) return Fail(env, db.status());
  auto report = MigrateToLatest(**db);
  if (!report.ok()) return Fail(env, report.status());
  env.out << "database " << config->database.path << ": schema version " << report->from_version;
  if (report->applied.empty()) {
    env.out << ", up to date\n";
  } else {
    env.out << " -> " << report->to_version << " (applied";
    for (const std::string& name : report->applied) env.out << " " << name;
    env.out << ")\n";
  }
  return kExitOk;
}

}  // namespace

void AddMigrateCommand(CLI::App& app, CommandEnv& env) {
  CLI::App* cmd = app.add_subcommand("migrate", "create the database or upgrade its schema");
  cmd->callback([&env] { env.exit_code = RunMigrate(env); });
}

}  // namespace customsd
