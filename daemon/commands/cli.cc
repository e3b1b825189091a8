#include "daemon/commands/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "common/build_info.h"
#include "daemon/commands/commands.h"

namespace customsd {

void AddOutputOptions(CLI::App& cmd, CommandEnv& env) {
  cmd.add_option_function<std::string>(
         "-o,--output",
         [&env](const std::string& name) { env.output.format = *ParseOutputFormat(name); },
         "output format: table, json, jsonl or csv")
      ->check(CLI::IsMember({"table", "json", "jsonl", "csv"}));
  cmd.add_flag_function(
      "--json", [&env](int64_t) { env.output.format = OutputFormat::kJson; }, "same as -o json");
  cmd.add_flag_function(
      "--local", [&env](int64_t) { env.output.local_time = true; },
      "tables show times in the local zone (TZ) instead of UTC");
}

int RunCli(int argc, const char* const* argv, std::istream& in, std::ostream& out,
           std::ostream& err, const Clock& clock, bool interactive) {
  CommandEnv env{in, out, err, clock, "/etc/customsd/customsd.toml"};
  env.interactive = interactive;
  CLI::App app{"customsd: files WeChat Pay Global customs declarations and follows each to its end",
               "customsd"};
  app.require_subcommand(1);
  // Global options are the app's; fallthrough lets them come after the subcommand too
  // ("customsd list -c F -o jsonl"). Subcommands added below inherit it.
  app.fallthrough();
  app.option_defaults()->always_capture_default();
  app.add_option("-c,--config", env.config_path, "config file")
      ->envname("CUSTOMSD_CONFIG")
      ->capture_default_str();
  AddOutputOptions(app, env);
  app.set_version_flag("--version",
                       std::string("customsd ") + kVersion + " (commit " + kGitCommit + ")");

  AddRunCommand(app, env);
  AddDeclareCommand(app, env);
  AddListCommand(app, env);
  AddShowCommand(app, env);
  AddStatsCommand(app, env);
  AddRetryCommand(app, env);
  AddRedeclareCommand(app, env);
  AddModifyCommand(app, env);
  AddCancelCommand(app, env);
  AddVerifyIdentityCommand(app, env);
  AddWatchCommand(app, env);
  AddAlertsCommand(app, env);
  AddEventsCommand(app, env);
  AddCheckCommand(app, env);
  AddMigrateCommand(app, env);
  AddBackupCommand(app, env);
  AddVersionCommand(app, env);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    err << "customsd: " << e.what() << " (see 'customsd --help')\n";
    return kExitUsage;
  }
  return env.exit_code;
}

int RunCli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err, const Clock& clock, bool interactive) {
  std::vector<const char*> argv{"customsd"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  return RunCli(static_cast<int>(argv.size()), argv.data(), in, out, err, clock, interactive);
}

}  // namespace customsd
