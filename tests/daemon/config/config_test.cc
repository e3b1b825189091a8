#include "daemon/config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/daemon/config/config_test_support.h"

namespace customsd {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

using namespace config_testing;  // NOLINT: the shared fixtures of the config tests

// ---------------------------------------------------------------------------------------------
// Good configs.

TEST(ParseConfigTest, OmittedSectionsTakeTheDocumentedDefaults) {
  StatusOr<Config> got = Parse(kMerchant);
  ASSERT_TRUE(got.ok()) << got.status().message();
  const Config& c = *got;
  EXPECT_EQ(c.source_path, "customsd.toml");
  EXPECT_EQ(c.wechatpay.base_url, "https://apihk.mch.weixin.qq.com");
  EXPECT_EQ(c.wechatpay.path_prefix, "/v3/global");
  EXPECT_EQ(c.wechatpay.ca_file, "");
  EXPECT_EQ(c.wechatpay.timeout, seconds(30));
  EXPECT_EQ(c.wechatpay.max_in_flight, 16);
  EXPECT_EQ(c.wechatpay.requests_per_second, 50);
  EXPECT_EQ(c.database.path, "/var/lib/customsd/customsd.db");
  EXPECT_EQ(c.poll.first_delay, minutes(1));
  EXPECT_EQ(c.poll.backoff.initial_interval, minutes(1));
  EXPECT_EQ(c.poll.backoff.max_interval, minutes(30));
  EXPECT_EQ(c.poll.backoff.multiplier, 2.0);
  EXPECT_EQ(c.poll.deadline, hours(72));
  EXPECT_EQ(c.retry.backoff.initial_interval, seconds(10));
  EXPECT_EQ(c.retry.backoff.max_interval, hours(1));
  EXPECT_EQ(c.retry.backoff.multiplier, 2.0);
  EXPECT_EQ(c.retry.max_attempts, 12);
  EXPECT_TRUE(c.redeclare.on_except);
  EXPECT_EQ(c.redeclare.max_attempts, 3);
  EXPECT_EQ(c.redeclare.interval, minutes(30));
  EXPECT_EQ(c.alerts.webhook_url, "");
  EXPECT_EQ(c.alerts.webhook_format, "generic");
  EXPECT_EQ(c.alerts.digest, "off");
  EXPECT_EQ(c.alerts.flood_limit, 20);
  EXPECT_EQ(c.alerts.email.smtp_url, "");
  EXPECT_EQ(c.alerts.command, "");
  EXPECT_EQ(c.metrics.listen, "127.0.0.1:9469");
  EXPECT_EQ(c.log.level, "info");
}

TEST(ParseConfigTest, TheExampleFromTheProductPageIsValid) {
  const std::string text = std::string(kMerchant) + R"(
[wechatpay]
base_url = "https://apihk.mch.weixin.qq.com"
path_prefix = "/v3/global"
ca_file = ""
timeout = "30s"
max_in_flight = 16
requests_per_second = 50

[database]
path = "/var/lib/customsd/customsd.db"

[poll]
first_delay = "1m"
initial_interval = "1m"
max_interval = "30m"
multiplier = 2.0
deadline = "72h"

[retry]
initial_interval = "10s"
max_interval = "1h"
multiplier = 2.0
max_attempts = 12

[redeclare]
on_except = true
max_attempts = 3
interval = "30m"

[alerts]
webhook_url = ""
webhook_format = "generic"
command = ""

[metrics]
listen = "127.0.0.1:9469"

[log]
level = "info"
)";
  StatusOr<Config> got = Parse(text);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->poll.deadline, hours(72));
}

TEST(ParseConfigTest, AFullConfigIsReadAsWritten) {
  const std::string text = R"([merchant]
mchid = "1900000001"
appid = "wx0000000000000001"
serial_no = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
private_key_file = "/secrets/key.pem"
apiv3_key_file = "/secrets/apiv3.key"
platform_public_key_file = "/secrets/pub.pem"
platform_public_key_id = "PUB_KEY_ID_0114232134912410000000000000"

[wechatpay]
base_url = "http://127.0.0.1:8443"
path_prefix = "/v3"
ca_file = "/etc/ssl/extra.pem"
timeout = "2s500ms"
max_in_flight = 4
requests_per_second = 7.5

[database]
path = "/srv/customsd.db"

[poll]
first_delay = "0s"
initial_interval = "30s"
max_interval = "10m"
multiplier = 3
deadline = "1d"

[retry]
initial_interval = "1s"
max_interval = "1s"
multiplier = 1.0
max_attempts = 1

[redeclare]
on_except = false
max_attempts = 0
interval = "1h"

[alerts]
webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
webhook_format = "wecom"
command = "/usr/local/bin/page-someone"
mention = ["zhangsan", "lisi"]
digest = "daily"
digest_at = "08:30"
flood_limit = 5

[alerts.email]
smtp_url = "smtps://smtp.example.com:465"
from = "customsd@example.com"
to = ["ops@example.com", "lead@example.com"]
username = "customsd"
password_file = "/secrets/smtp.password"

[metrics]
listen = "[::1]:9100"

[log]
level = "debug"
)";
  StatusOr<Config> got = Parse(text);
  ASSERT_TRUE(got.ok()) << got.status().message();
  const Config& c = *got;
  ASSERT_EQ(c.merchants.size(), 1u);
  const MerchantConfig& m = c.merchants[0];
  EXPECT_EQ(m.mchid, "1900000001");
  EXPECT_EQ(m.appid, "wx0000000000000001");
  EXPECT_EQ(m.serial_no, "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
  EXPECT_EQ(m.private_key_file, "/secrets/key.pem");
  EXPECT_EQ(m.apiv3_key_file, "/secrets/apiv3.key");
  EXPECT_EQ(m.platform_public_key_file, "/secrets/pub.pem");
  EXPECT_EQ(m.platform_public_key_id, "PUB_KEY_ID_0114232134912410000000000000");
  EXPECT_EQ(m.config_key, "merchant");
  EXPECT_EQ(c.wechatpay.base_url, "http://127.0.0.1:8443");
  EXPECT_EQ(c.wechatpay.path_prefix, "/v3");
  EXPECT_EQ(c.wechatpay.ca_file, "/etc/ssl/extra.pem");
  EXPECT_EQ(c.wechatpay.timeout, milliseconds(2500));
  EXPECT_EQ(c.wechatpay.max_in_flight, 4);
  EXPECT_EQ(c.wechatpay.requests_per_second, 7.5);
  EXPECT_EQ(c.database.path, "/srv/customsd.db");
  EXPECT_EQ(c.poll.first_delay, milliseconds(0));
  EXPECT_EQ(c.poll.backoff.initial_interval, seconds(30));
  EXPECT_EQ(c.poll.backoff.max_interval, minutes(10));
  EXPECT_EQ(c.poll.backoff.multiplier, 3.0);
  EXPECT_EQ(c.poll.deadline, hours(24));
  EXPECT_EQ(c.retry.backoff.initial_interval, seconds(1));
  EXPECT_EQ(c.retry.backoff.max_interval, seconds(1));
  EXPECT_EQ(c.retry.backoff.multiplier, 1.0);
  EXPECT_EQ(c.retry.max_attempts, 1);
  EXPECT_FALSE(c.redeclare.on_except);
  EXPECT_EQ(c.redeclare.max_attempts, 0);
  EXPECT_EQ(c.redeclare.interval, hours(1));
  EXPECT_EQ(c.alerts.webhook_url, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc");
  EXPECT_EQ(c.alerts.webhook_format, "wecom");
  EXPECT_EQ(c.alerts.command, "/usr/local/bin/page-someone");
  EXPECT_EQ(c.alerts.mention, (std::vector<std::string>{"zhangsan", "lisi"}));
  EXPECT_EQ(c.alerts.digest, "daily");
  EXPECT_EQ(c.alerts.digest_at, "08:30");
  EXPECT_EQ(c.alerts.flood_limit, 5);
  EXPECT_EQ(c.alerts.email.smtp_url, "smtps://smtp.example.com:465");
  EXPECT_EQ(c.alerts.email.from, "customsd@example.com");
  EXPECT_EQ(c.alerts.email.to, (std::vector<std::string>{"ops@example.com", "lead@example.com"}));
  EXPECT_EQ(c.alerts.email.username, "customsd");
  EXPECT_EQ(c.alerts.email.password_file, "/secrets/smtp.password");
  EXPECT_EQ(c.metrics.listen, "[::1]:9100");
  EXPECT_EQ(c.log.level, "debug");
}

TEST(ParseConfigTest, MerchantsArrayGivesSeveralMerchantsFoundByMchid) {
  const std::string text = R"([[merchants]]
mchid = "1230000109"
appid = "wxa"
serial_no = "SA"
private_key_file = "a_key.pem"
apiv3_key_file = "a_apiv3.key"

[[merchants]]
mchid = "1230000110"
appid = "wxb"
serial_no = "SB"
private_key_file = "b_key.pem"
apiv3_key_file = "b_apiv3.key"
)";
  StatusOr<Config> got = Parse(text);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->merchants.size(), 2u);
  EXPECT_EQ(got->merchants[0].config_key, "merchants[0]");
  EXPECT_EQ(got->merchants[1].config_key, "merchants[1]");
  const MerchantConfig* b = got->FindMerchant("1230000110");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->appid, "wxb");
  EXPECT_EQ(b->private_key_file, "/etc/customsd/b_key.pem");
  EXPECT_EQ(got->FindMerchant("999"), nullptr);
}

TEST(ParseConfigTest, ErrorsInTheSecondMerchantNameItsIndex) {
  const std::string text = R"([[merchants]]
mchid = "1"
appid = "wxa"
serial_no = "SA"
private_key_file = "a_key.pem"
apiv3_key_file = "a_apiv3.key"
[[merchants]]
mchid = "2"
appid = ""
serial_no = "SB"
private_key_file = "b_key.pem"
apiv3_key_file = "b_apiv3.key"
)";
  StatusOr<Config> got = Parse(text);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "customsd.toml:9: merchants[1].appid: must not be empty");
}

TEST(ParseConfigTest, RelativePathsResolveAgainstTheConfigFolderWithoutCredentialsDir) {
  StatusOr<Config> got = Parse(WithMerchant(
      "platform_public_key_file = \"pub.pem\"\nplatform_public_key_id = \"PUB_KEY_ID_1\"\n"
      "[wechatpay]\nca_file = \"ca/extra.pem\"\n[database]\npath = \"state/customsd.db\"\n"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  const MerchantConfig& m = got->merchants[0];
  EXPECT_EQ(m.private_key_file, "/etc/customsd/apiclient_key.pem");
  EXPECT_EQ(m.apiv3_key_file, "/etc/customsd/apiv3.key");
  EXPECT_EQ(m.platform_public_key_file, "/etc/customsd/pub.pem");
  EXPECT_EQ(got->wechatpay.ca_file, "/etc/customsd/ca/extra.pem");
  EXPECT_EQ(got->database.path, "/etc/customsd/state/customsd.db");
}

TEST(ParseConfigTest, RelativeKeyPathsResolveAgainstTheCredentialsDirWhenSet) {
  ConfigContext ctx = TestContext();
  ctx.credentials_dir = "/run/credentials/customsd.service";
  StatusOr<Config> got = ParseConfig(
      WithMerchant("platform_public_key_file = \"pub.pem\"\n"
                   "platform_public_key_id = \"PUB_KEY_ID_1\"\n"
                   "[wechatpay]\nca_file = \"extra.pem\"\n[database]\npath = \"customsd.db\"\n"),
      ctx);
  ASSERT_TRUE(got.ok()) << got.status().message();
  const MerchantConfig& m = got->merchants[0];
  EXPECT_EQ(m.private_key_file, "/run/credentials/customsd.service/apiclient_key.pem");
  EXPECT_EQ(m.apiv3_key_file, "/run/credentials/customsd.service/apiv3.key");
  EXPECT_EQ(m.platform_public_key_file, "/run/credentials/customsd.service/pub.pem");
  // Only key files come through credentials; other paths stay with the config file.
  EXPECT_EQ(got->wechatpay.ca_file, "/etc/customsd/extra.pem");
  EXPECT_EQ(got->database.path, "/etc/customsd/customsd.db");
}

TEST(ParseConfigTest, AbsolutePathsStayAsWritten) {
  ConfigContext ctx = TestContext();
  ctx.credentials_dir = "/run/credentials/customsd.service";
  StatusOr<Config> got = ParseConfig(R"([merchant]
mchid = "1"
appid = "a"
serial_no = "s"
private_key_file = "/keys/key.pem"
apiv3_key_file = "/keys/apiv3.key"
)",
                                     ctx);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->merchants[0].private_key_file, "/keys/key.pem");
  EXPECT_EQ(got->merchants[0].apiv3_key_file, "/keys/apiv3.key");
}

TEST(ParseConfigTest, ErrorsStartWithFileAndLine) {
  // Line 14 holds the bad multiplier.
  const std::string text = WithMerchant(R"(
[wechatpay]
timeout = "30s"

[poll]
first_delay = "1m"
initial_interval = "1m"
multiplier = 0.5
)");
  StatusOr<Config> got = Parse(text);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(got.status().message(),
            "customsd.toml:14: poll.multiplier: must be at least 1.0 (got 0.5)");
}

TEST(ParseConfigTest, AMissingKeyHasNoLine) {
  StatusOr<Config> got = Parse("[merchant]\nappid = \"a\"\n");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "customsd.toml: merchant.mchid: required");
}

TEST(ParseConfigTest, ASyntaxErrorIsOneLineWithFileAndLine) {
  StatusOr<Config> got = Parse(WithMerchant("\n[log]\nlevel = \"info\n"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(got.status().message().rfind("customsd.toml:9: invalid TOML: ", 0), 0u)
      << got.status().message();
  EXPECT_EQ(got.status().message().find('\n'), std::string::npos);
}

TEST(ParseConfigTest, TheUnknownKeyThatComesFirstInTheFileIsReported) {
  // toml++ keeps keys sorted; the report must still follow the file.
  StatusOr<Config> got = Parse(WithMerchant("[wechatpay]\nzz = 1\naa = 2\n"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "customsd.toml:8: wechatpay.zz: unknown key");
}

TEST(ParseConfigTest, IntegersAreAcceptedWhereANumberIsWanted) {
  StatusOr<Config> got =
      Parse(WithMerchant("[poll]\nmultiplier = 2\n[wechatpay]\nrequests_per_second = 10\n"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->poll.backoff.multiplier, 2.0);
  EXPECT_EQ(got->wechatpay.requests_per_second, 10.0);
}

TEST(ParseConfigTest, HttpBaseUrlIsAllowedForLoopbackHosts) {
  for (const char* url :
       {"http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:9000", "http://LOCALHOST",
        "http://[::1]:8443", "https://[2001:db8::1]:443", "https://apihk.mch.weixin.qq.com:443"}) {
    StatusOr<Config> got =
        Parse(WithMerchant(std::string("[wechatpay]\nbase_url = \"") + url + "\"\n"));
    EXPECT_TRUE(got.ok()) << url << ": " << got.status().message();
  }
}

TEST(ParseConfigTest, MetricsListenAcceptsHostPortV6PortAndOff) {
  for (const char* listen : {"", "127.0.0.1:9469", "0.0.0.0:1", "localhost:65535", "[::]:9469"}) {
    StatusOr<Config> got =
        Parse(WithMerchant(std::string("[metrics]\nlisten = \"") + listen + "\"\n"));
    EXPECT_TRUE(got.ok()) << listen << ": " << got.status().message();
  }
}

TEST(ParseConfigTest, AWebhookUrlIsNeverEchoedBecauseItMayHoldAToken) {
  StatusOr<Config> got =
      Parse(WithMerchant("[alerts]\nwebhook_url = \"hooks.slack.com/services/T0/B0/SECRET\"\n"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message().find("SECRET"), std::string::npos) << got.status().message();
}

TEST(ParseConfigTest, ControlCharactersInValuesAreEscapedToKeepOneLine) {
  StatusOr<Config> got = Parse(WithMerchant("[log]\nlevel = \"info\\nFAKE: line\"\n"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message().find('\n'), std::string::npos);
  EXPECT_NE(got.status().message().find("\\x0a"), std::string::npos) << got.status().message();
}

TEST(ParseConfigTest, EmptyPublicKeySettingsMeanPublicKeyModeIsOff) {
  StatusOr<Config> got =
      Parse(WithMerchant("platform_public_key_file = \"\"\nplatform_public_key_id = \"\"\n"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->merchants[0].platform_public_key_file, "");
}

MerchantConfig CodeBuiltMerchant() {
  MerchantConfig m;
  m.mchid = "1230000109";
  m.appid = "wxa";
  m.serial_no = "S";
  m.private_key_file = "/k.pem";
  m.apiv3_key_file = "/v.key";
  return m;
}

TEST(ValidateConfigTest, AcceptsADefaultConfigWithOneMerchantBuiltInCode) {
  Config config;
  config.merchants.push_back(CodeBuiltMerchant());
  Status status = ValidateConfig(config, {}, "built-in");
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST(ValidateConfigTest, WithoutLinesMessagesCarryNoLineNumber) {
  Config config;
  config.merchants.push_back(CodeBuiltMerchant());
  config.wechatpay.max_in_flight = 0;
  Status status = ValidateConfig(config, {}, "built-in");
  EXPECT_EQ(status.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(status.message(),
            "built-in: wechatpay.max_in_flight: must be between 1 and 1024 (got 0)");
}

TEST(ValidateConfigTest, RefusesAConfigWithoutMerchants) {
  Status status = ValidateConfig(Config{}, {}, "built-in");
  EXPECT_EQ(status.message().rfind("built-in: merchant: required", 0), 0u) << status.message();
}

// ---------------------------------------------------------------------------------------------
// LoadConfig: reading the file.

class LoadConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string templ =
        (std::filesystem::temp_directory_path() / "customsd-config-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    unsetenv("CREDENTIALS_DIRECTORY");
  }
  void TearDown() override {
    unsetenv("CREDENTIALS_DIRECTORY");
    std::filesystem::remove_all(dir_);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(LoadConfigTest, ResolvesRelativePathsAgainstTheFilesFolder) {
  const std::string path = Write("customsd.toml", kMerchant);
  StatusOr<Config> got = LoadConfig(path);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->source_path, path);
  EXPECT_EQ(got->merchants[0].private_key_file, dir_ + "/apiclient_key.pem");
}

TEST_F(LoadConfigTest, UsesCredentialsDirectoryFromTheEnvironment) {
  const std::string path = Write("customsd.toml", kMerchant);
  setenv("CREDENTIALS_DIRECTORY", "/run/credentials/customsd.service", 1);
  StatusOr<Config> got = LoadConfig(path);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->merchants[0].private_key_file,
            "/run/credentials/customsd.service/apiclient_key.pem");
}

TEST_F(LoadConfigTest, IgnoresAnEmptyCredentialsDirectory) {
  const std::string path = Write("customsd.toml", kMerchant);
  setenv("CREDENTIALS_DIRECTORY", "", 1);
  StatusOr<Config> got = LoadConfig(path);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->merchants[0].private_key_file, dir_ + "/apiclient_key.pem");
}

TEST_F(LoadConfigTest, AMissingFileIsAnIoErrorNamingThePath) {
  StatusOr<Config> got = LoadConfig(dir_ + "/nope.toml");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kIoError);
  EXPECT_NE(got.status().message().find(dir_ + "/nope.toml: cannot read"), std::string::npos)
      << got.status().message();
}

TEST_F(LoadConfigTest, ADirectoryIsAnIoError) {
  StatusOr<Config> got = LoadConfig(dir_);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kIoError);
}

TEST_F(LoadConfigTest, ErrorsNameTheFileAsGiven) {
  const std::string path = Write("customsd.toml", WithMerchant("[log]\nlevel = \"loud\"\n"));
  StatusOr<Config> got = LoadConfig(path);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message().rfind(path + ":8: log.level: ", 0), 0u)
      << got.status().message();
}

// The example the .deb installs as /etc/customsd/customsd.toml must stay a valid config: every
// key it shows exists, and its values pass validation.
TEST(ParseConfigTest, TheShippedExampleParses) {
  std::ifstream in(std::string(CUSTOMSD_SOURCE_DIR) + "/systemd/customsd.toml.example");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  StatusOr<Config> got = Parse(text.str());
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->alerts.digest, "off");
  EXPECT_EQ(got->alerts.email.smtp_url, "");
}

}  // namespace
}  // namespace customsd
