// The fake WeChat Pay's side of APIv3 authentication: checking each request's Authorization
// header against the configured merchant certificates, and signing each response with the
// platform private key (or spoiling that signature when a fault says so).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "tests/mock/mock_api_error.h"
#include "tests/mock/mock_faults.h"
#include "tests/mock/mock_options.h"
#include "wechatpay/private_key.h"

namespace customsd::mock {

// What the mock needs of an X.509 certificate.
struct CertificateInfo {
  std::string pem;
  std::string serial;  // the serial number in upper-case hex: how WeChat names certificates
  TimePoint not_before;
  TimePoint not_after;
  SharedPkey public_key;
};
StatusOr<CertificateInfo> ReadCertificate(std::string_view pem);

// Checks Authorization: WECHATPAY2-SHA256-RSA2048 mchid=..,serial_no=..,timestamp=..,
// nonce_str=..,signature=.. Every failure is 401 SIGN_ERROR (missing or garbled header, unknown
// serial_no, mchid not the certificate's, timestamp more than max_skew from the mock's clock,
// signature not valid over BuildRequestMessage(method, target, timestamp, nonce, body)).
class RequestAuthenticator {
 public:
  static StatusOr<RequestAuthenticator> Create(const std::vector<MerchantCert>& certs);

  // `target` is the raw path and query as sent; `authorization` nullptr when absent.
  // Returns the authenticated mchid.
  ApiResult<std::string> Check(std::string_view method, std::string_view target,
                               std::string_view body, const std::string* authorization,
                               TimePoint now, std::chrono::seconds max_skew) const;

 private:
  struct Merchant {
    SharedPkey key;
    std::string mchid;  // "" = any
  };
  std::map<std::string, Merchant, std::less<>> by_serial_;
};

// Signs responses: Wechatpay-Timestamp, -Nonce, -Signature (SHA256withRSA over
// BuildResponseMessage(timestamp, nonce, body)) and -Serial. Thread-safe.
class ResponseSigner {
 public:
  struct Platform {
    CertificateInfo cert;
    SharedPkey private_key;
  };

  static StatusOr<ResponseSigner> Create(const std::vector<PlatformIdentity>& platforms);
  ResponseSigner(ResponseSigner&& other) noexcept
      : platforms_(std::move(other.platforms_)), current_(other.current_.load()) {}

  // The headers for `body`. `spoil` kBadSignature signs another message, kNoSignature leaves
  // Wechatpay-Signature out, kSignTest sends a WECHATPAY/SIGNTEST/ probe; anything else signs.
  std::vector<std::pair<std::string, std::string>> Sign(std::string_view body, int64_t unix_seconds,
                                                        FaultKind spoil) const;

  // Which platform signs from now on (index into MockOptions::platforms; out of range ignored).
  void Use(size_t index);
  const Platform& current() const { return platforms_[current_.load()]; }
  const std::vector<Platform>& platforms() const { return platforms_; }
  // nullptr when no platform has that serial.
  const Platform* Find(std::string_view serial) const;

 private:
  explicit ResponseSigner(std::vector<Platform> platforms) : platforms_(std::move(platforms)) {}
  std::vector<Platform> platforms_;
  std::atomic<size_t> current_{0};
};

}  // namespace customsd::mock
