#include "wechatpay/certificate_manager.h"

namespace customsd {

ApiOutcome CertificateManager::Refresh() {
  std::lock_guard<std::mutex> lock(refresh_mu_);
  last_attempt_ = clock_.Now();
  if (downloader_ == nullptr) {
    ApiOutcome o;
    o.cls = OutcomeClass::kRetry;
    o.message = "no certificate downloader configured";
    return o;
  }
  auto result = downloader_->Download();
  if (!result.outcome.ok()) return result.outcome;
  if (persist_) {
    // Not fatal: the keys still work in memory; the next refresh tries to persist again.
    (void)persist_(*result.value);
  }
  store_.ReplaceCertificates(std::move(*result.value));
  last_success_ = clock_.Now();
  return result.outcome;
}

std::optional<ApiOutcome> CertificateManager::RefreshIfDue() {
  {
    std::lock_guard<std::mutex> lock(refresh_mu_);
    if (last_success_ && clock_.Now() - *last_success_ < options_.refresh_interval) {
      return std::nullopt;
    }
  }
  return Refresh();
}

void CertificateManager::RefreshAfterUnknownSerial(std::string_view /*serial*/) {
  {
    std::lock_guard<std::mutex> lock(refresh_mu_);
    if (last_attempt_ && clock_.Now() - *last_attempt_ < options_.unknown_serial_min_interval) {
      return;
    }
  }
  (void)Refresh();
}

std::optional<std::string> CertificateManager::TrustedSerial() {
  auto preferred = store_.Preferred(UnixMillis(clock_.Now()));
  if (!preferred) return std::nullopt;
  return preferred->serial;
}

bool CertificateManager::ExpiresSoon() const {
  auto newest = store_.NewestCertificateExpiry();
  if (!newest) return false;
  return *newest - UnixMillis(clock_.Now()) < options_.expiry_warning.count();
}

}  // namespace customsd
