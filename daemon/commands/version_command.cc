// customsd version: what this binary is and what it was built with.
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "common/build_info.h"
#include "daemon/commands/commands.h"
#include "storage/migrations.h"

namespace customsd {

void AddVersionCommand(CLI::App& app, CommandEnv& env) {
  CLI::App* cmd = app.add_subcommand("version", "print version and build info");
  cmd->callback([&env] {
    env.out << "customsd " << kVersion << " (commit " << kGitCommit << ", " << kBuildType
            << ")\n"
            << "schema version " << EmbeddedMigrations().size() << "\n"
            << "SQLite " << sqlite3_libversion() << "\n"
            << OpenSSL_version(OPENSSL_VERSION) << "\n";
    env.exit_code = kExitOk;
  });
}

}  // namespace customsd
