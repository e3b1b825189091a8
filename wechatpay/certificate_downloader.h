// Downloads the platform certificates (GET {prefix}/certificates) and decrypts each with the
// APIv3 key. The answer is verified with the keys it carries (or ones already trusted): a list
// that does not verify is kUnknown and must not be used.
#pragma once

#include <string>
#include <vector>

#include "wechatpay/api_caller.h"
#include "wechatpay/customs_types.h"
#include "wechatpay/platform_key_store.h"

namespace customsd {

class CertificateDownloader {
 public:
  CertificateDownloader(ApiCaller& caller, std::string apiv3_key)
      : caller_(caller), apiv3_key_(std::move(apiv3_key)) {}

  ApiResult<std::vector<PlatformKeyInfo>> Download();

  // Decrypts and parses a /certificates body (exposed for tests and the cache).
  static StatusOr<std::vector<PlatformKeyInfo>> ParseCertificates(std::string_view body,
                                                                  std::string_view apiv3_key);

 private:
  ApiResult<std::vector<PlatformKeyInfo>> DownloadUnobserved();

  ApiCaller& caller_;
  std::string apiv3_key_;
};

}  // namespace customsd
