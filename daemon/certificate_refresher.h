// CertificateRefresher: a thread that keeps every merchant's platform certificates fresh
// (CertificateManager::RefreshIfDue), checking once a minute, and warns once a day while the
// newest certificate expires within 30 days. Stops promptly when destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "daemon/merchant_directory.h"

namespace customsd {

class CertificateRefresher {
 public:
  CertificateRefresher(MerchantDirectory& merchants,
                       std::chrono::milliseconds check_every = std::chrono::minutes(1));
  ~CertificateRefresher();

  // Refreshes every merchant now (on the calling thread); used once at start-up.
  void RefreshAllIfDue();

 private:
  void Loop();

  MerchantDirectory& merchants_;
  const std::chrono::milliseconds check_every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::chrono::steady_clock::time_point last_expiry_warning_{};
  std::thread thread_;
};

}  // namespace customsd
