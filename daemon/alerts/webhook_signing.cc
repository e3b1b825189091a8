#include "daemon/alerts/webhook_signing.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "wechatpay/base64.h"

namespace customsd {
namespace {

std::string HmacSha256Base64(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

}  // namespace

std::string DingtalkSignature(std::string_view secret, int64_t unix_ms) {
  return HmacSha256Base64(secret, std::to_string(unix_ms) + "\n" + std::string(secret));
}

std::string FeishuSignature(std::string_view secret, int64_t unix_seconds) {
  return HmacSha256Base64(std::to_string(unix_seconds) + "\n" + std::string(secret), "");
}

}  // namespace customsd
