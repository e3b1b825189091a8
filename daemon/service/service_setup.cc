#include "daemon/service/service_setup.h"

#include <spdlog/spdlog.h>

#include "daemon/config/config_settings.h"
#include "daemon/process/logging.h"

namespace customsd {

EngineOptions EngineOptionsFromConfig(const Config& config) {
  EngineOptions o;
  o.max_in_flight = config.wechatpay.max_in_flight;
  o.requests_per_second = config.wechatpay.requests_per_second;
  // A held merchant is probed about as often as a failing request is retried at its slowest,
  // but at least every 5 minutes, so a fixed key is noticed soon.
  o.hold_probe_interval = std::min<std::chrono::milliseconds>(config.retry.backoff.max_interval,
                                                              std::chrono::minutes(5));
  return o;
}

Engine::DatabaseFactory WorkerDatabaseFactory(const std::string& path) {
  return [path]() {
    DatabaseOptions options;
    options.create = false;
    options.quick_check = false;
    return Database::Open(path, options);
  };
}

Status LoadMerchants(const Config& config, HttpTransport& transport, const Clock& clock,
                     CertificateCache& cache, MerchantDirectory& merchants, ApiObserver* observer) {
  std::vector<std::shared_ptr<MerchantApi>> apis;
  for (const MerchantConfig& m : config.merchants) {
    auto api = BuildMerchantApi(config, m, transport, clock, &cache);
    if (!api.ok()) return api.status();
    (*api)->caller->set_observer(observer);
    apis.push_back(std::shared_ptr<MerchantApi>(std::move(api).value()));
  }
  merchants.Replace(std::move(apis));
  return Status::Ok();
}

ClientLookup ClientsOf(MerchantDirectory& merchants) {
  return [&merchants](const std::string& mchid) { return merchants.FindClient(mchid); };
}

void LogRecoveredAttempts(DeclarationStore& store) {
  auto count = store.CountDoubtfulSends();
  if (!count.ok()) {
    spdlog::error("cannot count recovered attempts: {}", count.status().message());
  } else if (*count > 0) {
    spdlog::warn(
        "{} declaration(s) had a request in flight at the last stop; each is queried "
        "before anything is sent again",
        *count);
  }
}

void ReloadService(const std::string& config_path, Config& current, HttpTransport& transport,
                   const Clock& clock, CertificateCache& cache, MerchantDirectory& merchants,
                   ApiObserver* observer) {
  auto next = LoadConfig(config_path);
  if (!next.ok()) {
    spdlog::error("reload: config refused, nothing changed: {}", next.status().message());
    return;
  }
  if (Status s = LoadMerchants(*next, transport, clock, cache, merchants, observer); !s.ok()) {
    spdlog::error("reload: merchants not reloaded, nothing changed: {}", s.message());
    return;
  }
  // Compared with what is in force, not with the last file read: a setting that waits for a
  // restart is reported on every reload until then.
  const ConfigSettings before = SettingsOf(current);
  const ConfigSettings after = SettingsOf(*next);
  std::vector<std::string> changes;
  if (next->log.level != current.log.level) {
    if (SetUpLogging(next->log.level).ok()) {
      changes.push_back("log.level " + current.log.level + " -> " + next->log.level);
    }
  }
  changes.push_back("merchant keys and certificates reloaded (" +
                    std::to_string(next->merchants.size()) + " merchant(s))");
  // Names only: some values (a chat webhook's URL) carry a token.
  std::string restart;
  for (const auto& [key, value] : after) {
    auto was = before.find(key);
    if (AppliedOnReload(key) || (was != before.end() && was->second == value)) continue;
    restart += (restart.empty() ? "" : ", ") + key;
  }
  for (const auto& [key, value] : before) {
    if (!AppliedOnReload(key) && after.count(key) == 0) {
      restart += (restart.empty() ? "" : ", ") + key;
    }
  }
  std::string changed;
  for (const std::string& c : changes) changed += (changed.empty() ? "" : "; ") + c;
  spdlog::info("reload: {}", changed);
  if (!restart.empty()) {
    spdlog::warn("reload: changed settings that take effect on restart: {}", restart);
  }
  // Only what was applied moves into `current`; the rest stays as the daemon runs it.
  current.log = next->log;
  current.merchants = next->merchants;
  current.declare = next->declare;
}

}  // namespace customsd
