// customsd version: what this binary is and what it was built with. `--version` prints the
// first line only; -o json/jsonl/csv give the same facts as fields.
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "common/build_info.h"
#include "daemon/commands/commands.h"
#include "storage/migrations.h"

namespace customsd {

void AddVersionCommand(CLI::App& app, CommandEnv& env) {
  CLI::App* cmd = app.add_subcommand("version", "print version and build info");
  AddOutputOptions(*cmd, env);
  cmd->callback([&env] {
    const nlohmann::json facts = {{"version", kVersion},
                                  {"commit", kGitCommit},
                                  {"build_type", kBuildType},
                                  {"schema_version", EmbeddedMigrations().size()},
                                  {"sqlite", sqlite3_libversion()},
                                  {"openssl", OpenSSL_version(OPENSSL_VERSION)}};
    env.exit_code = kExitOk;
    if (env.output.format == OutputFormat::kJson) {
      env.out << facts.dump(2) << "\n";
      return;
    }
    if (!env.output.table()) {
      PrintItems(env.out, env.output.format, {facts},
                 {"version", "commit", "build_type", "schema_version", "sqlite", "openssl"});
      return;
    }
    env.out << "customsd " << kVersion << " (commit " << kGitCommit << ", " << kBuildType
            << ")\n"
            << "schema version " << EmbeddedMigrations().size() << "\n"
            << "SQLite " << sqlite3_libversion() << "\n"
            << OpenSSL_version(OPENSSL_VERSION) << "\n";
  });
}

}  // namespace customsd
