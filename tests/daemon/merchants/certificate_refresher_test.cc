// The daily "certificate expires soon" warning is per merchant: one merchant's warning must
// not silence another's, and each repeats once a day, not every check.
#include "daemon/merchants/certificate_refresher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "tests/daemon/alerts/alert_test_support.h"
#include "tests/support/fake_transport.h"
#include "tests/support/test_config.h"

namespace customsd {
namespace {

using std::chrono::hours;

constexpr int64_t kDayMs = 86'400'000;

// A merchant whose only platform certificate expires at `expire_at` (no downloader: its
// refreshes fail, which the warning must not care about).
std::shared_ptr<MerchantApi> MerchantWithCertificate(const std::string& mchid, int64_t expire_at,
                                                     const Clock& clock) {
  static const testing::PlatformSigner platform;
  auto api = std::make_shared<MerchantApi>();
  api->merchant.mchid = mchid;
  api->keys.ReplaceCertificates({{"SERIAL" + mchid, platform.public_key, expire_at - 365 * kDayMs,
                                  expire_at, platform.certificate_pem}});
  api->certificates = std::make_unique<CertificateManager>(api->keys, clock);
  return api;
}

std::string WarningOf(const std::string& mchid) {
  return "merchant " + mchid + ": the newest platform certificate expires within 30 days";
}

class CertificateRefresherTest : public ::testing::Test {
 protected:
  int64_t Now() const { return UnixMillis(clock_.Now()); }

  FakeClock clock_{testing::TestEpoch()};
  MerchantDirectory merchants_;
  testing::CapturedLog log_;
};

TEST_F(CertificateRefresherTest, EveryMerchantWhoseCertificateExpiresSoonWarnsTheSameDay) {
  merchants_.Replace({MerchantWithCertificate("1111", Now() + 10 * kDayMs, clock_),
                      MerchantWithCertificate("2222", Now() + 20 * kDayMs, clock_)});
  // Its own thread never wakes during the test: the checks below are the only ones.
  CertificateRefresher refresher(merchants_, clock_, hours(24 * 365));

  refresher.RefreshAllIfDue();
  EXPECT_EQ(log_.Count(WarningOf("1111")), 1u) << log_.text();
  EXPECT_EQ(log_.Count(WarningOf("2222")), 1u) << log_.text();

  // Checked every minute for the rest of the day: no repeat.
  for (int minute = 1; minute < 24 * 60; ++minute) {
    clock_.Advance(std::chrono::minutes(1));
    refresher.RefreshAllIfDue();
  }
  EXPECT_EQ(log_.Count(WarningOf("1111")), 1u);
  EXPECT_EQ(log_.Count(WarningOf("2222")), 1u);

  // A day after the first warning, each warns again, once.
  clock_.Advance(std::chrono::minutes(1));
  refresher.RefreshAllIfDue();
  refresher.RefreshAllIfDue();
  EXPECT_EQ(log_.Count(WarningOf("1111")), 2u) << log_.text();
  EXPECT_EQ(log_.Count(WarningOf("2222")), 2u) << log_.text();
}

TEST_F(CertificateRefresherTest, AMerchantThatStartsExpiringLaterWarnsAtOnce) {
  // 1111 expires within 30 days now; 2222 only from six hours on.
  constexpr int64_t kHourMs = 3'600'000;
  merchants_.Replace({MerchantWithCertificate("1111", Now() + 10 * kDayMs, clock_),
                      MerchantWithCertificate("2222", Now() + 30 * kDayMs + 6 * kHourMs, clock_)});
  CertificateRefresher refresher(merchants_, clock_, hours(24 * 365));

  refresher.RefreshAllIfDue();
  EXPECT_EQ(log_.Count(WarningOf("1111")), 1u);
  EXPECT_EQ(log_.Count(WarningOf("2222")), 0u);

  clock_.Advance(hours(7));
  refresher.RefreshAllIfDue();
  EXPECT_EQ(log_.Count(WarningOf("1111")), 1u) << "1111 warned less than a day ago";
  EXPECT_EQ(log_.Count(WarningOf("2222")), 1u) << log_.text();
}

TEST_F(CertificateRefresherTest, ACertificateFarFromExpiryDoesNotWarn) {
  merchants_.Replace({MerchantWithCertificate("1111", Now() + 90 * kDayMs, clock_)});
  CertificateRefresher refresher(merchants_, clock_, hours(24 * 365));
  refresher.RefreshAllIfDue();
  EXPECT_EQ(log_.Count("expires within 30 days"), 0u) << log_.text();
}

}  // namespace
}  // namespace customsd
