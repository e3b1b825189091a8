// Each command adds itself to the CLI11 app; its callback stores its exit code in env.
#pragma once

#include <CLI/CLI.hpp>

#include "daemon/commands/command_context.h"

namespace customsd {

void AddDeclareCommand(CLI::App& app, CommandEnv& env);
void AddListCommand(CLI::App& app, CommandEnv& env);
void AddShowCommand(CLI::App& app, CommandEnv& env);
void AddStatsCommand(CLI::App& app, CommandEnv& env);
void AddCheckCommand(CLI::App& app, CommandEnv& env);
void AddMigrateCommand(CLI::App& app, CommandEnv& env);
void AddBackupCommand(CLI::App& app, CommandEnv& env);
void AddVersionCommand(CLI::App& app, CommandEnv& env);
void AddRunCommand(CLI::App& app, CommandEnv& env);
void AddRetryCommand(CLI::App& app, CommandEnv& env);
void AddRedeclareCommand(CLI::App& app, CommandEnv& env);
void AddModifyCommand(CLI::App& app, CommandEnv& env);
void AddCancelCommand(CLI::App& app, CommandEnv& env);
void AddVerifyIdentityCommand(CLI::App& app, CommandEnv& env);
void AddWatchCommand(CLI::App& app, CommandEnv& env);
void AddAlertsCommand(CLI::App& app, CommandEnv& env);
void AddEventsCommand(CLI::App& app, CommandEnv& env);

// -o/--output, --json and --local on `cmd` (they are global, and also listed in the --help of
// the commands that print records).
void AddOutputOptions(CLI::App& cmd, CommandEnv& env);

}  // namespace customsd
