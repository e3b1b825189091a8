// MerchantApi: everything that talks to WeChat Pay for one configured merchant, wired from the
// config: its signer (private key), its platform keys (configured public key, the cached
// certificates, refreshed by a CertificateManager) and its customs client.
#pragma once

#include <memory>

#include "common/clock.h"
#include "daemon/config/config.h"
#include "storage/certificate_cache.h"
#include "wechatpay/api_caller.h"
#include "wechatpay/certificate_downloader.h"
#include "wechatpay/certificate_manager.h"
#include "wechatpay/customs_client.h"
#include "wechatpay/platform_key_store.h"
#include "wechatpay/signer.h"

namespace customsd {

struct MerchantApi {
  MerchantConfig merchant;
  PlatformKeyStore keys;
  std::unique_ptr<RequestSigner> signer;
  std::unique_ptr<CertificateManager> certificates;
  std::unique_ptr<ApiCaller> caller;
  std::unique_ptr<CertificateDownloader> downloader;
  std::unique_ptr<CustomsClient> customs;
};

ApiEndpoint EndpointFromConfig(const Config& config);

// Reads and checks the merchant's key files (errors name the config key, never the content),
// loads the configured public key and, when `cache` is given, the last good certificates, and
// persists every refreshed set to it. `transport`, `clock` and `cache` must outlive the result.
StatusOr<std::unique_ptr<MerchantApi>> BuildMerchantApi(const Config& config,
                                                        const MerchantConfig& merchant,
                                                        HttpTransport& transport,
                                                        const Clock& clock,
                                                        CertificateCache* cache);

}  // namespace customsd
