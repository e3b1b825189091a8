// CertificateRefresher: a thread that keeps every merchant's platform certificates fresh
// (CertificateManager::RefreshIfDue), checking once a minute, and warns once a day per merchant
// while its newest certificate expires within 30 days. Stops promptly when destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "daemon/merchants/merchant_directory.h"

namespace customsd {

class CertificateRefresher {
 public:
  // `clock` (for the daily warning) must outlive the refresher.
  CertificateRefresher(MerchantDirectory& merchants, const Clock& clock,
                       std::chrono::milliseconds check_every = std::chrono::minutes(1));
  ~CertificateRefresher();

  // Refreshes every merchant now (on the calling thread); used once at start-up.
  void RefreshAllIfDue();

 private:
  void Loop();
  // True when `mchid` last warned a day or more ago (or never); notes `now` as its last warning.
  bool ExpiryWarningDue(const std::string& mchid, TimePoint now);

  MerchantDirectory& merchants_;
  const Clock& clock_;
  const std::chrono::milliseconds check_every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  // Each merchant's own: one merchant's warning must not silence another's for the day.
  std::mutex warn_mu_;  // RefreshAllIfDue runs on the start-up thread and on thread_
  std::map<std::string, TimePoint> last_expiry_warning_;  // by mchid
  std::thread thread_;
};

}  // namespace customsd
