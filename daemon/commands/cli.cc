#include "daemon/commands/cli.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "daemon/commands/commands.h"

namespace customsd {

int RunCli(int argc, const char* const* argv, std::istream& in, std::ostream& out,
           std::ostream& err, const Clock& clock) {
  CommandEnv env{in, out, err, clock, "/etc/customsd/customsd.toml"};
  CLI::App app{"customsd: files WeChat Pay Global customs declarations and follows each to its end",
               "customsd"};
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();
  app.add_option("-c,--config", env.config_path, "config file")
      ->envname("CUSTOMSD_CONFIG")
      ->capture_default_str();

  AddRunCommand(app, env);
  AddDeclareCommand(app, env);
  AddListCommand(app, env);
  AddShowCommand(app, env);
  AddStatsCommand(app, env);
  AddRetryCommand(app, env);
  AddRedeclareCommand(app, env);
  AddModifyCommand(app, env);
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
  } catch (const CLI::ParseError& e) {
    err << "customsd: " << e.what() << " (see 'customsd --help')\n";
    return kExitUsage;
  }
  return env.exit_code;
}

int RunCli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err, const Clock& clock) {
  std::vector<const char*> argv{"customsd"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  return RunCli(static_cast<int>(argv.size()), argv.data(), in, out, err, clock);
}

}  // namespace customsd
