#include "daemon/merchants/merchant_api.h"

#include "daemon/config/secret_files.h"

namespace customsd {
namespace {

std::vector<CachedCertificate> ToCached(const std::vector<PlatformKeyInfo>& keys) {
  std::vector<CachedCertificate> out;
  for (const PlatformKeyInfo& k : keys) {
    if (!k.expire_at || k.certificate_pem.empty()) continue;
    out.push_back({k.serial, k.effective_at, *k.expire_at, k.certificate_pem});
  }
  return out;
}

std::vector<PlatformKeyInfo> FromCached(const std::vector<CachedCertificate>& cached) {
  std::vector<PlatformKeyInfo> out;
  for (const CachedCertificate& c : cached) {
    auto key = ParsePublicKeyPem(c.certificate_pem, "cached certificate " + c.serial_no);
    if (!key.ok()) continue;  // a damaged row only loses its key; the next refresh replaces it
    out.push_back({c.serial_no, Share(std::move(key).value()), c.effective_at, c.expire_at,
                   c.certificate_pem});
  }
  return out;
}

}  // namespace

ApiEndpoint EndpointFromConfig(const Config& config) {
  ApiEndpoint e;
  e.base_url = config.wechatpay.base_url;
  e.path_prefix = config.wechatpay.path_prefix;
  e.timeout = config.wechatpay.timeout;
  e.user_agent = "customsd";
  return e;
}

StatusOr<std::unique_ptr<MerchantApi>> BuildMerchantApi(const Config& config,
                                                        const MerchantConfig& merchant,
                                                        HttpTransport& transport,
                                                        const Clock& clock,
                                                        CertificateCache* cache) {
  const std::string where = merchant.config_key;
  auto pem = ReadSecretFile(merchant.private_key_file, where + ".private_key_file");
  if (!pem.ok()) return pem.status();
  auto key = ParsePrivateKeyPem(*pem, where + ".private_key_file");
  if (!key.ok()) return key.status();
  auto apiv3 = ReadApiV3KeyFile(merchant.apiv3_key_file, where + ".apiv3_key_file");
  if (!apiv3.ok()) return apiv3.status();

  auto api = std::make_unique<MerchantApi>();
  api->merchant = merchant;
  if (!merchant.platform_public_key_file.empty()) {
    auto pub_pem =
        ReadPublicFile(merchant.platform_public_key_file, where + ".platform_public_key_file");
    if (!pub_pem.ok()) return pub_pem.status();
    auto pub = ParsePublicKeyPem(*pub_pem, where + ".platform_public_key_file");
    if (!pub.ok()) return pub.status();
    api->keys.Put({merchant.platform_public_key_id, Share(std::move(pub).value()), std::nullopt,
                   std::nullopt, ""});
  }
  if (cache != nullptr) {
    auto cached = cache->Load(merchant.mchid);
    if (!cached.ok()) return cached.status();
    api->keys.ReplaceCertificates(FromCached(*cached));
  }

  api->signer = std::make_unique<RequestSigner>(merchant.mchid, merchant.serial_no,
                                                Share(std::move(key).value()), clock);
  api->certificates = std::make_unique<CertificateManager>(api->keys, clock);
  api->caller = std::make_unique<ApiCaller>(EndpointFromConfig(config), transport, *api->signer,
                                            *api->certificates, clock);
  api->downloader = std::make_unique<CertificateDownloader>(*api->caller, std::move(apiv3).value());
  api->certificates->SetDownloader(api->downloader.get());
  if (cache != nullptr) {
    api->certificates->SetPersist(
        [cache, mchid = merchant.mchid, &clock](const std::vector<PlatformKeyInfo>& keys) {
          return cache->Save(mchid, ToCached(keys), UnixMillis(clock.Now()));
        });
  }
  api->customs = std::make_unique<CustomsClient>(*api->caller);
  return api;
}

}  // namespace customsd
