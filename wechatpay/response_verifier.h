// APIv3 response verification: every answer from WeChat Pay is signed with the platform key
// named by Wechatpay-Serial over "TIMESTAMP\nNONCE\nBODY\n".
//
// A response that does not verify must never change a declaration's state: the caller treats
// a 2xx that fails here as an unknown outcome.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "wechatpay/http_transport.h"
#include "wechatpay/private_key.h"

namespace customsd {

// The Wechatpay-* headers of a response; "" when absent.
struct ResponseSignature {
  std::string timestamp;
  std::string nonce;
  std::string signature;
  std::string serial;
};
ResponseSignature SignatureOf(const HttpResponse& response);

enum class VerifyVerdict {
  kOk,
  kMissingHeader,   // a Wechatpay-* header is absent or empty
  kBadTimestamp,    // not a whole number of seconds
  kClockSkew,       // |timestamp - now| >= 300 s
  kSignTestProbe,   // signature starts with WECHATPAY/SIGNTEST/: must always fail
  kUnknownSerial,   // no platform key with that serial
  kBadSignature,
};
std::string_view ToString(VerifyVerdict v);

std::string BuildResponseMessage(std::string_view timestamp, std::string_view nonce,
                                 std::string_view body);

// Finds the platform public key for a serial; nullptr when unknown.
using PlatformKeyLookup = std::function<SharedPkey(std::string_view serial)>;

inline constexpr int64_t kMaxResponseSkewSeconds = 300;

VerifyVerdict VerifyResponse(const ResponseSignature& sig, std::string_view body,
                             int64_t now_unix_seconds, const PlatformKeyLookup& lookup);

}  // namespace customsd
