// What every command shares: its streams, the clock, the global options, and the way a Status
// becomes an exit code (0 ok, 1 runtime failure, 2 bad usage or bad input, 3 no such
// declaration).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/exit_codes.h"
#include "common/status.h"
#include "daemon/commands/output_format.h"
#include "daemon/config/config.h"
#include "daemon/process/open_database.h"

namespace customsd {

struct CommandEnv {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  const Clock& clock;
  std::string config_path;  // -c/--config, $CUSTOMSD_CONFIG, or the installed default
  OutputOptions output;     // -o, --json, --local: anywhere on the line
  // Whether stdin and stdout are terminals (isatty in main; tests say no): a bulk change asks
  // for confirmation only on a terminal, and progress lines are drawn only there.
  bool interactive = false;
  int exit_code = kExitOk;
};

// Prints "customsd: <message>" on err and returns the exit code for s.
int Fail(CommandEnv& env, const Status& s);

StatusOr<Config> LoadCommandConfig(const CommandEnv& env);

// Asks before a bulk change goes ahead; nullopt = go on. `what` says what would change ("retry:
// 3 declarations would be put back to work"). Off a terminal it refuses, printing `what` and
// "nothing changed: <how_to_go_ahead>", exit 2; on one it asks "[y/N]", and any answer but y or
// yes is exit 1.
std::optional<int> ConfirmBulkChange(CommandEnv& env, const std::string& what,
                                     const std::string& how_to_go_ahead);

}  // namespace customsd
