// customsd run: the daemon, in the foreground (see daemon/service/service.h).
#include "daemon/commands/commands.h"
#include "daemon/process/service_notifier.h"
#include "daemon/service/service.h"

namespace customsd {

void AddRunCommand(CLI::App& app, CommandEnv& env) {
  auto bound_s = std::make_shared<int>(20);
  CLI::App* cmd = app.add_subcommand("run", "run the daemon in the foreground");
  cmd->add_option("--shutdown-seconds", *bound_s,
                  "on SIGTERM, how long running requests may take to finish")
      ->check(CLI::Range(0, 3600));
  cmd->callback([bound_s, &env] {
    SystemdNotifier notifier;
    ServiceOptions options;
    options.config_path = env.config_path;
    options.shutdown_bound = std::chrono::seconds(*bound_s);
    env.exit_code = RunService(options, env.clock, notifier);
  });
}

}  // namespace customsd
