#include "daemon/commands/command_context.h"

#include <istream>
#include <ostream>
#include <string>

namespace customsd {

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

}  // namespace customsd
