#include "wechatpay/platform_key_store.h"

#include <algorithm>

namespace customsd {

void PlatformKeyStore::Put(PlatformKeyInfo info) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(keys_, [&](const PlatformKeyInfo& k) { return k.serial == info.serial; });
  keys_.push_back(std::move(info));
}

void PlatformKeyStore::ReplaceCertificates(std::vector<PlatformKeyInfo> certificates) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(keys_, [](const PlatformKeyInfo& k) { return k.expire_at.has_value(); });
  for (PlatformKeyInfo& c : certificates) keys_.push_back(std::move(c));
}

SharedPkey PlatformKeyStore::Find(std::string_view serial) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const PlatformKeyInfo& k : keys_) {
    if (k.serial == serial) return k.key;
  }
  return nullptr;
}

bool PlatformKeyStore::empty() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.empty();
}

std::optional<PlatformKeyInfo> PlatformKeyStore::Preferred(int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  const PlatformKeyInfo* best = nullptr;
  for (const PlatformKeyInfo& k : keys_) {
    if (!k.expire_at) return k;  // a configured public key never expires
    // A new certificate is listed a day before WeChat starts using it.
    if (k.effective_at && *k.effective_at > now_ms) continue;
    if (best == nullptr || *k.expire_at > *best->expire_at) best = &k;
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

std::optional<int64_t> PlatformKeyStore::NewestCertificateExpiry() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<int64_t> newest;
  for (const PlatformKeyInfo& k : keys_) {
    if (k.expire_at && (!newest || *k.expire_at > *newest)) newest = k.expire_at;
  }
  return newest;
}

std::vector<PlatformKeyInfo> PlatformKeyStore::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_;
}

}  // namespace customsd
