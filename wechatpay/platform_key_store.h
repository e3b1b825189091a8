// The platform public keys customsd trusts, by serial: certificates downloaded from
// /certificates and, optionally, a configured WeChat Pay public key (PUB_KEY_ID_...).
//
// Thread safety: every method may be called from any thread at any time.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wechatpay/private_key.h"

namespace customsd {

struct PlatformKeyInfo {
  std::string serial;
  SharedPkey key;
  std::optional<int64_t> effective_at;  // Unix ms; nullopt for a configured public key
  std::optional<int64_t> expire_at;     // Unix ms; nullopt = no expiry (public key mode)
  std::string certificate_pem;          // "" for a configured public key
};

class PlatformKeyStore {
 public:
  // Adds or replaces the key with that serial.
  void Put(PlatformKeyInfo info);
  // Replaces every downloaded certificate with `certificates`; a configured public key stays.
  void ReplaceCertificates(std::vector<PlatformKeyInfo> certificates);

  SharedPkey Find(std::string_view serial) const;
  bool empty() const;

  // The serial to name in Wechatpay-Serial and to encrypt identity fields for: the configured
  // public key when there is one, else the certificate in effect at `now_ms` that expires last.
  std::optional<PlatformKeyInfo> Preferred(int64_t now_ms) const;

  // The latest expiry among downloaded certificates; nullopt when there are none.
  std::optional<int64_t> NewestCertificateExpiry() const;

  std::vector<PlatformKeyInfo> All() const;

 private:
  mutable std::mutex mu_;
  std::vector<PlatformKeyInfo> keys_;
};

}  // namespace customsd
