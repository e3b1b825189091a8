#include "daemon/workflow/merchant_holds.h"

namespace customsd {

bool MerchantHolds::Hold(const std::string& mchid, const std::string& cause, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = held_.try_emplace(mchid, HoldState{cause, now_ms + probe_interval_.count()});
  if (!inserted) {
    it->second.cause = cause;
    it->second.next_probe_ms = now_ms + probe_interval_.count();
  }
  return inserted;
}

bool MerchantHolds::Release(const std::string& mchid) {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.erase(mchid) > 0;
}

bool MerchantHolds::MayProceed(const std::string& mchid, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(mchid);
  if (it == held_.end()) return true;
  if (now_ms < it->second.next_probe_ms) return false;
  it->second.next_probe_ms = now_ms + probe_interval_.count();
  return true;
}

std::optional<std::string> MerchantHolds::Cause(const std::string& mchid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(mchid);
  if (it == held_.end()) return std::nullopt;
  return it->second.cause;
}

size_t MerchantHolds::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.size();
}

}  // namespace customsd
