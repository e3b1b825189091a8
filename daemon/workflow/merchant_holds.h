// MerchantHolds: merchants whose work is paused because WeChat refused them as a whole (401
// SIGN_ERROR: wrong key, serial or clock; NOAUTH or customs not configured). Their declarations
// are left as they are; once per probe interval one request goes through as a probe, and the
// first answer that is not the same refusal lifts the hold by itself.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace customsd {

class MerchantHolds {
 public:
  explicit MerchantHolds(std::chrono::milliseconds probe_interval) : probe_interval_(probe_interval) {}

  // Returns true when this holds a merchant that was not held before.
  bool Hold(const std::string& mchid, const std::string& cause, int64_t now_ms);
  // Returns true when the merchant was held.
  bool Release(const std::string& mchid);

  // May a request for this merchant go out now? True when not held, or when held and a probe
  // is due (which then counts as this probe).
  bool MayProceed(const std::string& mchid, int64_t now_ms);

  std::optional<std::string> Cause(const std::string& mchid) const;
  size_t size() const;

 private:
  struct HoldState {
    std::string cause;
    int64_t next_probe_ms;
  };
  const std::chrono::milliseconds probe_interval_;
  mutable std::mutex mu_;
  std::map<std::string, HoldState> held_;
};

}  // namespace customsd
