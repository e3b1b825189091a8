// The parts of `customsd run` that turn the config into running objects, and SIGHUP's reload.
#pragma once

#include "common/clock.h"
#include "daemon/config/config.h"
#include "daemon/merchants/merchant_directory.h"
#include "daemon/workflow/engine.h"
#include "storage/certificate_cache.h"
#include "storage/declaration_store.h"
#include "wechatpay/http_transport.h"

namespace customsd {

EngineOptions EngineOptionsFromConfig(const Config& config);

// Opens another connection to the database for a worker thread.
Engine::DatabaseFactory WorkerDatabaseFactory(const std::string& path);

// Builds a MerchantApi for every configured merchant (keys read and checked, cached
// certificates loaded) and puts them in `merchants`. Any failure leaves `merchants` as it was.
// `observer` (may be null) hears about every request to WeChat Pay.
Status LoadMerchants(const Config& config, HttpTransport& transport, const Clock& clock,
                     CertificateCache& cache, MerchantDirectory& merchants, ApiObserver* observer);

// The engine's client lookup: each merchant's CustomsClient, from the directory as it stands.
ClientLookup ClientsOf(MerchantDirectory& merchants);

// Logs at start-up how many declarations had a request in flight when the daemon last stopped
// (DeclarationStore::CountDoubtfulSends): their next step is a query, because the request may
// or may not have reached WeChat.
void LogRecoveredAttempts(DeclarationStore& store);

// SIGHUP: re-reads the config. The log level and the merchants (keys, certificates) change at
// once; every other setting (config_settings.h) that differs from what is in force is named
// in one "take effect on restart" line, on each reload until the restart. A bad config
// changes nothing. `current` is updated to what is in force: the applied settings only.
void ReloadService(const std::string& config_path, Config& current, HttpTransport& transport,
                   const Clock& clock, CertificateCache& cache, MerchantDirectory& merchants,
                   ApiObserver* observer);

}  // namespace customsd
