// What SIGHUP says it did. A setting the running daemon cannot change (alerts, metrics, the
// backoffs) must be named as waiting for a restart, on every reload until the restart: a
// second SIGHUP that compared with the last file read instead of what is in force went quiet
// while the old value was still used.
#include <gtest/gtest.h>

#include "daemon/config/config.h"
#include "daemon/merchants/merchant_directory.h"
#include "daemon/service/service_setup.h"
#include "storage/certificate_cache.h"
#include "tests/daemon/alerts/alert_test_support.h"
#include "tests/daemon/workflow/fake_wechat.h"
#include "tests/daemon/workflow/workflow_fixture.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/test_config.h"

namespace customsd {
namespace {

class ReloadReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        testing::CachePlatformCertificate(cache_, platform_, UnixMillis(clock_.Now())));
    original_ = testing::ReadFile(install_.config_path());
    auto config = LoadConfig(install_.config_path());
    ASSERT_TRUE(config.ok()) << config.status().message();
    config_ = std::move(config).value();
    ASSERT_TRUE(
        LoadMerchants(config_, wechat_.transport(), clock_, cache_, merchants_, nullptr).ok());
  }

  // Rewrites the config with `extra` appended to the original and sends it a SIGHUP.
  std::string Reload(const std::string& extra) {
    testing::WriteFile(install_.config_path(), original_ + extra);
    testing::CapturedLog log;
    ReloadService(install_.config_path(), config_, wechat_.transport(), clock_, cache_, merchants_,
                  nullptr);
    return log.text();
  }

  testing::TestInstall install_;
  FakeClock clock_{testing::TestEpoch()};
  std::unique_ptr<Database> db_ = testing::OpenMigrated(install_.db_path());
  CertificateCache cache_{*db_};
  testing::PlatformSigner platform_;
  testing::FakeWeChat wechat_{clock_};
  std::string original_;
  Config config_;
  MerchantDirectory merchants_;
};

constexpr char kChanged[] =
    "[alerts]\nflood_limit = 5\nwebhook_url = \"https://hooks.example/secret-token-123\"\n"
    "[metrics]\nlisten = \"127.0.0.1:9999\"\n"
    "[retry]\nmultiplier = 3.0\n"
    "[poll]\nmax_interval = \"10m\"\n";

TEST_F(ReloadReportTest, EveryChangedSettingIsNamedAsAppliedOrWaitingForARestart) {
  const std::string log = Reload(kChanged);
  const size_t at = log.find("take effect on restart: ");
  ASSERT_NE(at, std::string::npos) << log;
  const std::string line = log.substr(at, log.find('\n', at) - at);
  for (const char* key : {"alerts.flood_limit", "alerts.webhook_url", "metrics.listen",
                          "retry.multiplier", "poll.max_interval"}) {
    EXPECT_NE(line.find(key), std::string::npos) << key << " missing from: " << line;
  }
  EXPECT_EQ(line.find("merchants["), std::string::npos) << line;
  EXPECT_EQ(log.find("secret-token-123"), std::string::npos) << "a webhook URL was logged";
  // What is in force: the applied setting moved, the others did not.
  EXPECT_EQ(config_.alerts.flood_limit, 20);
  EXPECT_EQ(config_.metrics.listen, "127.0.0.1:9469");
}

TEST_F(ReloadReportTest, ASecondReloadStillNamesWhatWaitsForARestart) {
  Reload(kChanged);
  const std::string log = Reload(kChanged);
  EXPECT_NE(log.find("take effect on restart: "), std::string::npos) << log;
  EXPECT_NE(log.find("alerts.flood_limit"), std::string::npos) << log;
}

// The log level is applied at once (SetUpLogging replaces the logger that CapturedLog put in,
// so the line itself goes to stderr here) and then is in force: not reported again, nor as waiting
// for a restart.
TEST_F(ReloadReportTest, TheLogLevelIsAppliedAndThenInForce) {
  const std::string extra = "[log]\nlevel = \"warn\"\n";
  Reload(extra);
  EXPECT_EQ(config_.log.level, "warn");
  const std::string log = Reload(extra);
  EXPECT_EQ(log.find("log.level"), std::string::npos) << log;
  Reload("");
  EXPECT_EQ(config_.log.level, "info");
}

TEST_F(ReloadReportTest, PuttingASettingBackEndsTheWarning) {
  Reload(kChanged);
  const std::string log = Reload("");
  EXPECT_EQ(log.find("take effect on restart"), std::string::npos) << log;
}

}  // namespace
}  // namespace customsd
