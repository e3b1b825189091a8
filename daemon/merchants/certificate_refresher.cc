#include "daemon/merchants/certificate_refresher.h"

#include <spdlog/spdlog.h>

namespace customsd {

CertificateRefresher::CertificateRefresher(MerchantDirectory& merchants, const Clock& clock,
                                           std::chrono::milliseconds check_every)
    : merchants_(merchants),
      clock_(clock),
      check_every_(check_every),
      thread_([this] { Loop(); }) {}

CertificateRefresher::~CertificateRefresher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void CertificateRefresher::RefreshAllIfDue() {
  for (const auto& api : merchants_.All()) {
    std::optional<ApiOutcome> outcome = api->certificates->RefreshIfDue();
    if (outcome && !outcome->ok()) {
      spdlog::warn("merchant {}: platform certificates not refreshed: {}", api->merchant.mchid,
                   outcome->ToString());
    } else if (outcome) {
      spdlog::info("merchant {}: platform certificates refreshed", api->merchant.mchid);
    }
    if (api->certificates->ExpiresSoon() && ExpiryWarningDue(api->merchant.mchid, clock_.Now())) {
      spdlog::warn("merchant {}: the newest platform certificate expires within 30 days",
                   api->merchant.mchid);
    }
  }
}

bool CertificateRefresher::ExpiryWarningDue(const std::string& mchid, TimePoint now) {
  std::lock_guard<std::mutex> lock(warn_mu_);
  auto [last, first] = last_expiry_warning_.try_emplace(mchid, now);
  if (!first && now - last->second < std::chrono::hours(24)) return false;
  last->second = now;
  return true;
}

void CertificateRefresher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, check_every_, [this] { return stop_; })) {
    lock.unlock();
    RefreshAllIfDue();
    lock.lock();
  }
}

}  // namespace customsd
