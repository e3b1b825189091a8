// CertificateManager keeps a merchant's platform keys fresh: it refreshes the downloaded
// certificates every refresh_interval (12 h by default; WeChat lists a new certificate 24 h
// before using it) and when a response names an unknown serial (at most once per
// unknown_serial_min_interval, so a forged serial cannot make us hammer the API). The last
// good set is handed to `persist` so a restart while WeChat is unreachable still verifies.
//
// Thread safety: all methods may be called from any thread; refreshes are serialized.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "wechatpay/api_caller.h"
#include "wechatpay/certificate_downloader.h"
#include "wechatpay/platform_key_store.h"

namespace customsd {

struct CertificateManagerOptions {
  std::chrono::milliseconds refresh_interval{std::chrono::hours(12)};
  std::chrono::milliseconds unknown_serial_min_interval{std::chrono::minutes(1)};
  std::chrono::milliseconds expiry_warning{std::chrono::hours(24 * 30)};
};

class CertificateManager final : public PlatformKeySource {
 public:
  using Persist = std::function<Status(const std::vector<PlatformKeyInfo>&)>;

  CertificateManager(PlatformKeyStore& store, const Clock& clock,
                     CertificateManagerOptions options = {})
      : store_(store), clock_(clock), options_(options) {}

  // Both are set once, before the first refresh.
  void SetDownloader(CertificateDownloader* downloader) { downloader_ = downloader; }
  void SetPersist(Persist persist) { persist_ = std::move(persist); }

  // Downloads now. On kOk the store holds exactly the new set and it has been persisted.
  ApiOutcome Refresh();
  // Refreshes when the last good refresh is older than refresh_interval (or there was none).
  // Returns the outcome of the refresh, or nullopt when none was due.
  std::optional<ApiOutcome> RefreshIfDue();

  // True when the newest downloaded certificate expires within options.expiry_warning.
  bool ExpiresSoon() const;

  SharedPkey Find(std::string_view serial) override { return store_.Find(serial); }
  void RefreshAfterUnknownSerial(std::string_view serial) override;
  std::optional<std::string> TrustedSerial() override;

 private:
  PlatformKeyStore& store_;
  const Clock& clock_;
  CertificateManagerOptions options_;
  CertificateDownloader* downloader_ = nullptr;
  Persist persist_;
  std::mutex refresh_mu_;  // one refresh at a time
  std::optional<TimePoint> last_success_;
  std::optional<TimePoint> last_attempt_;
};

}  // namespace customsd
