// APIv3 request signing (SHA256withRSA, PKCS#1 v1.5, with the merchant API private key).
//
// The signed message is five lines, each ending in '\n':
//   METHOD, PATH_WITH_QUERY (no host; byte-identical to what is sent), TIMESTAMP (Unix seconds),
//   NONCE, BODY (exact bytes; empty for GET).
// Header: WECHATPAY2-SHA256-RSA2048 mchid="..",serial_no="..",timestamp="..",nonce_str="..",
//   signature=".."  (the item order WeChat Pay's own SDK uses).
// Nothing here logs; errors never contain key material.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "wechatpay/private_key.h"

namespace customsd {

std::string BuildRequestMessage(std::string_view method, std::string_view path_with_query,
                                int64_t timestamp, std::string_view nonce, std::string_view body);

// Base64 of the SHA256withRSA signature of `message`.
StatusOr<std::string> SignSha256WithRsa(EVP_PKEY* key, std::string_view message);

// True when `signature_b64` is a valid SHA256withRSA signature of `message` under `key`.
// Malformed base64 is simply false.
bool VerifySha256WithRsa(EVP_PKEY* key, std::string_view message, std::string_view signature_b64);

std::string BuildAuthorization(std::string_view mchid, std::string_view serial_no,
                               int64_t timestamp, std::string_view nonce,
                               std::string_view signature);

// 32 characters of [0-9A-Za-z] from OpenSSL's RAND_bytes (unbiased).
std::string NewNonce();

// The five items of an Authorization header, as the server side (the fake WeChat Pay) reads it.
struct ParsedAuthorization {
  std::string mchid;
  std::string serial_no;
  std::string timestamp;
  std::string nonce_str;
  std::string signature;
};
// Items may come in any order; kInvalidInput when the scheme is not
// WECHATPAY2-SHA256-RSA2048, an item is missing, repeated or unquoted.
StatusOr<ParsedAuthorization> ParseAuthorization(std::string_view header);

// Signs requests for one merchant. Thread-safe.
class RequestSigner {
 public:
  RequestSigner(std::string mchid, std::string serial_no, SharedPkey key, const Clock& clock)
      : mchid_(std::move(mchid)), serial_no_(std::move(serial_no)), key_(std::move(key)),
        clock_(clock) {}

  // The Authorization header value for this request, with a fresh nonce and the clock's time.
  StatusOr<std::string> Authorization(std::string_view method, std::string_view path_with_query,
                                      std::string_view body) const;

  const std::string& mchid() const { return mchid_; }

 private:
  std::string mchid_;
  std::string serial_no_;
  SharedPkey key_;
  const Clock& clock_;
};

}  // namespace customsd
