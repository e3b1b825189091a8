#include "daemon/certificate_refresher.h"

#include <spdlog/spdlog.h>

namespace customsd {

CertificateRefresher::CertificateRefresher(MerchantDirectory& merchants,
                                           std::chrono::milliseconds check_every)
    : merchants_(merchants), check_every_(check_every), thread_([this] { Loop(); }) {}

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
    const auto now = std::chrono::steady_clock::now();
    if (api->certificates->ExpiresSoon() && now - last_expiry_warning_ > std::chrono::hours(24)) {
      last_expiry_warning_ = now;
      spdlog::warn("merchant {}: the newest platform certificate expires within 30 days",
                   api->merchant.mchid);
    }
  }
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
