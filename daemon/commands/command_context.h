// What every command shares: its streams, the clock, the global options, and the way a Status
// becomes an exit code (0 ok, 1 runtime failure, 2 bad usage or bad input, 3 no such
// declaration).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "daemon/commands/output_format.h"
#include "daemon/config.h"
#include "storage/database.h"

namespace customsd {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
// The declaration (or alert) named does not exist: scripts tell "not there" from "failed".
inline constexpr int kExitNotFound = 3;

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

// kInvalidInput -> 2; kNotFound -> 3; anything else that is not ok -> 1.
int ExitCodeFor(const Status& s);

// Prints "customsd: <message>" on err and returns the exit code for s.
int Fail(CommandEnv& env, const Status& s);

StatusOr<Config> LoadCommandConfig(const CommandEnv& env);

// Asks before a bulk change goes ahead; nullopt = go on. `what` says what would change ("retry:
// 3 declarations would be put back to work"). Off a terminal it refuses, printing `what` and
// "nothing changed: <how_to_go_ahead>", exit 2; on one it asks "[y/N]", and any answer but y or
// yes is exit 1.
std::optional<int> ConfirmBulkChange(CommandEnv& env, const std::string& what,
                                     const std::string& how_to_go_ahead);

// Opening the database (OpenDatabaseFor, and `migrate`) as root first switches the whole
// process to the database's owner, or refuses with exit 1: see daemon/process/run_as_owner.h.
// Commands therefore read whatever only root may read before they open the database.
enum class OpenMode {
  kExisting,          // the database must exist at the schema this binary knows; never written
                      // to by opening it
  kCreateAndMigrate,  // create it if missing and apply pending migrations
};

StatusOr<std::unique_ptr<Database>> OpenDatabaseFor(const Config& config, OpenMode mode,
                                                    bool quick_check);

}  // namespace customsd
