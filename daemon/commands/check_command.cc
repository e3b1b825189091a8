// customsd check: is this installation ready to run? Config, key files, database, and with
// --online the platform certificates downloaded from WeChat Pay (which proves the merchant key,
// serial and APIv3 key are right and WeChat is reachable).
// Reports every problem it finds (not just the first), one line each. With -o json/jsonl/csv,
// stdout gets one item per line of the report ({"result": "ok" | "warning" | "problem",
// "message"}), and the problems still go to stderr as well.
#include <sys/stat.h>

#include <sstream>

#include "common/time_format.h"
#include "daemon/commands/commands.h"
#include "daemon/config/secret_files.h"
#include "daemon/merchants/merchant_api.h"
#include "daemon/process/database_access.h"
#include "storage/migrator.h"
#include "storage/storage_probe.h"
#include "wechatpay/curl_transport.h"
#include "wechatpay/private_key.h"

namespace customsd {
namespace {

// Private key must parse as an RSA key; the optional WeChat Pay public key too.
std::vector<Status> CheckKeys(const MerchantConfig& m) {
  std::vector<Status> problems;
  auto pem = ReadSecretFile(m.private_key_file, "private_key_file");
  if (!pem.ok()) {
    problems.push_back(pem.status());
  } else if (auto key = ParsePrivateKeyPem(*pem, "merchant " + m.mchid + " private_key_file");
             !key.ok()) {
    problems.push_back(key.status());
  }
  if (!m.platform_public_key_file.empty()) {
    auto pub = ReadPublicFile(m.platform_public_key_file, "platform_public_key_file");
    if (!pub.ok()) {
      problems.push_back(pub.status());
    } else {
      auto key = ParsePublicKeyPem(*pub, "merchant " + m.mchid + " platform_public_key_file");
      if (!key.ok()) problems.push_back(key.status());
    }
  }
  return problems;
}

// As the service's user would meet it (database_access.h), then a real write: a file that
// reads fine may still refuse writes (a full disk, a read-only mount).
Status CheckDatabase(CommandEnv& env, const Config& config) {
  const std::string& path = config.database.path;
  if (auto why = WhyNotWritable(path, FindServiceUser(path))) {
    return Status::FailedPrecondition(*why);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    env.out << "database " << path << ": not created yet (customsd creates it on first use)\n";
    return Status::Ok();
  }
  auto db = OpenDatabaseFor(config, OpenMode::kExisting, /*quick_check=*/true);
  if (!db.ok()) return db.status();
  auto version = SchemaVersion(**db);
  if (!version.ok()) return version.status();
  if (Status s = ProbeWrite(**db, UnixMillis(env.clock.Now())); !s.ok()) {
    return Status::IoError("database " + path + " takes no writes: " + s.message());
  }
  env.out << "database " << path << ": ok (schema version " << *version
          << ", quick_check ok, writable)\n";
  return Status::Ok();
}

// The CA bundle is read at the first request, by then too late to say it is missing.
Status CheckCaFile(const Config& config) {
  const std::string& ca = config.wechatpay.ca_file;
  struct stat st {};
  if (ca.empty() || (::stat(ca.c_str(), &st) == 0 && S_ISREG(st.st_mode))) return Status::Ok();
  return Status::InvalidInput("wechatpay.ca_file " + ca + ": no such file");
}

// Downloads each merchant's platform certificates; returns the number of failures.
int CheckOnline(CommandEnv& env, const Config& config) {
  CurlTransportOptions options;
  options.ca_file = config.wechatpay.ca_file;
  options.timeout = config.wechatpay.timeout;
  CurlTransport transport(options);
  int failures = 0;
  for (const MerchantConfig& m : config.merchants) {
    auto api = BuildMerchantApi(config, m, transport, env.clock, /*cache=*/nullptr);
    if (!api.ok()) {
      env.err << "customsd: " << api.status().message() << "\n";
      ++failures;
      continue;
    }
    ApiOutcome outcome = (*api)->certificates->Refresh();
    if (!outcome.ok()) {
      env.err << "customsd: merchant " << m.mchid << ": downloading platform certificates: "
              << outcome.ToString() << "\n";
      ++failures;
      continue;
    }
    for (const PlatformKeyInfo& k : (*api)->keys.All()) {
      env.out << "merchant " << m.mchid << ": platform key " << k.serial
              << (k.expire_at ? " expires " + FormatRfc3339(*k.expire_at) : " (public key)")
              << "\n";
    }
    if ((*api)->certificates->ExpiresSoon()) {
      env.err << "warning: merchant " << m.mchid
              << ": the newest platform certificate expires within 30 days\n";
    }
  }
  return failures;
}

int RunCheck(CommandEnv& env, bool online) {
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  env.out << "config " << config->source_path << ": ok (" << config->merchants.size()
          << " merchant" << (config->merchants.size() == 1 ? "" : "s") << ")\n";

  int failures = 0;
  Status secrets = CheckSecretFiles(*config);
  if (!secrets.ok()) {
    env.err << "customsd: " << secrets.message() << "\n";
    ++failures;
  }
  for (const MerchantConfig& m : config->merchants) {
    // A file that failed the checks above is not read again: one line per problem.
    std::vector<Status> problems = secrets.ok() ? CheckKeys(m) : std::vector<Status>{};
    for (const Status& p : problems) env.err << "customsd: " << p.message() << "\n";
    if (problems.empty() && secrets.ok()) env.out << "merchant " << m.mchid << ": keys ok\n";
    failures += static_cast<int>(problems.size());
  }
  // Online before the database: run as root, opening the database switches to its owner
  // (run_as_owner.h), who cannot read the root-only key files the online check signs with.
  if (online && failures == 0) failures += CheckOnline(env, *config);
  if (Status ca = CheckCaFile(*config); !ca.ok()) {
    env.err << "customsd: " << ca.message() << "\n";
    ++failures;
  }
  if (Status db = CheckDatabase(env, *config); !db.ok()) {
    env.err << "customsd: " << db.message() << "\n";
    ++failures;
  }
  if (failures > 0) {
    env.err << "customsd: check found " << failures << " problem" << (failures == 1 ? "" : "s")
            << "\n";
    return kExitFailure;
  }
  env.out << "check: ok\n";
  return kExitOk;
}

// The report's lines as items: stdout's are results, stderr's problems and warnings.
int RunCheckStructured(CommandEnv& env, bool online) {
  std::ostringstream out, err;
  CommandEnv inner{env.in, out, err, env.clock, env.config_path, env.output, env.interactive};
  const int code = RunCheck(inner, online);
  std::vector<nlohmann::json> items;
  std::istringstream results(out.str());
  for (std::string line; std::getline(results, line);) {
    items.push_back({{"result", "ok"}, {"message", line}});
  }
  std::istringstream problems(err.str());
  for (std::string line; std::getline(problems, line);) {
    const bool warning = line.rfind("warning: ", 0) == 0;
    const std::string prefix = warning ? "warning: " : "customsd: ";
    if (line.rfind(prefix, 0) == 0) line.erase(0, prefix.size());
    items.push_back({{"result", warning ? "warning" : "problem"}, {"message", line}});
  }
  env.err << err.str();
  PrintItems(env.out, env.output.format, items, {"result", "message"});
  return code;
}

}  // namespace

void AddCheckCommand(CLI::App& app, CommandEnv& env) {
  auto online = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("check", "validate config, key files and database");
  cmd->add_flag("--online", *online, "also download the platform certificates");
  AddOutputOptions(*cmd, env);
  cmd->callback([online, &env] {
    env.exit_code = env.output.table() ? RunCheck(env, *online) : RunCheckStructured(env, *online);
  });
}

}  // namespace customsd
