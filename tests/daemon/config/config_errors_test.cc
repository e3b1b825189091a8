// Bad configs: each is refused with one line that names the key (and its line when known).
#include <gtest/gtest.h>

#include <string>

#include "daemon/config/config.h"
#include "tests/daemon/config/config_test_support.h"

namespace customsd {
namespace {

using namespace config_testing;  // NOLINT: the shared fixtures of the config tests

struct BadConfig {
  std::string name;
  std::string toml;
  StatusCode code;
  std::string message_part;
};

void PrintTo(const BadConfig& c, std::ostream* os) { *os << c.name; }

class ParseConfigRefuses : public testing::TestWithParam<BadConfig> {};

TEST_P(ParseConfigRefuses, WithOneLineNamingTheKey) {
  const BadConfig& c = GetParam();
  StatusOr<Config> got = Parse(c.toml);
  ASSERT_FALSE(got.ok()) << c.name << " was accepted";
  EXPECT_EQ(got.status().code(), c.code) << got.status().message();
  EXPECT_NE(got.status().message().find(c.message_part), std::string::npos)
      << "message: " << got.status().message() << "\nexpected to contain: " << c.message_part;
  EXPECT_EQ(got.status().message().rfind("customsd.toml", 0), 0u) << got.status().message();
  EXPECT_EQ(got.status().message().find('\n'), std::string::npos) << got.status().message();
}

constexpr StatusCode kBad = StatusCode::kInvalidInput;

const BadConfig kBadConfigs[] = {
    // Structure, unknown keys and tables.
    {"UnknownTopLevelTable", WithMerchant("[wechatpay2]\nx = 1\n"), kBad,
     "customsd.toml:7: wechatpay2: unknown table"},
    {"UnknownKeyInSection", WithMerchant("[wechatpay]\ntimout = \"5s\"\n"), kBad,
     "customsd.toml:8: wechatpay.timout: unknown key"},
    {"UnknownTopLevelKey", "verbose = true\n" + std::string(kMerchant), kBad,
     "customsd.toml:1: verbose: unknown key"},
    {"UnknownMerchantKey", WithMerchant("mchd = \"1\"\n"), kBad,
     "customsd.toml:7: merchant.mchd: unknown key"},
    {"NestedTableInSection", WithMerchant("[poll.backoff]\nmultiplier = 2\n"), kBad,
     "customsd.toml:7: poll.backoff: unknown table"},
    {"SectionThatIsNotATable", "log = \"debug\"\n" + std::string(kMerchant), kBad,
     "customsd.toml:1: log: must be a table (got a string)"},
    {"SyntaxError", WithMerchant("[wechatpay\n"), kBad, "customsd.toml:7: invalid TOML"},
    {"KeyGivenTwice", WithMerchant("[log]\nlevel = \"info\"\nlevel = \"debug\"\n"), kBad,
     "customsd.toml:9: invalid TOML"},
    // Merchants.
    {"NoMerchant", "[log]\nlevel = \"info\"\n", kBad, "customsd.toml: merchant: required"},
    {"BothMerchantAndMerchants",
     WithMerchant("[[merchants]]\nmchid = \"1\"\nappid = \"a\"\nserial_no = \"s\"\n"
                  "private_key_file = \"k\"\napiv3_key_file = \"v\"\n"),
     kBad, "customsd.toml:7: merchants: cannot be combined with [merchant]"},
    {"EmptyMerchantsArray", "merchants = []\n", kBad,
     "customsd.toml:1: merchants: must list at least one merchant"},
    {"MerchantsElementNotATable", "merchants = [1]\n", kBad,
     "merchants[0]: must be a table (got an integer)"},
    {"MerchantAsArrayOfTables", "[[merchant]]\nmchid = \"1\"\n", kBad,
     "merchant: must be a single [merchant] table; use [[merchants]]"},
    {"MerchantsAsPlainTable", "[merchants]\nmchid = \"1\"\n", kBad,
     "merchants: must be an array of [[merchants]] tables"},
    {"MissingMchid", "[merchant]\nappid = \"a\"\n", kBad,
     "customsd.toml: merchant.mchid: required"},
    {"MchidNotDigits", MerchantWithLine("mchid = \"1230000109\"", "mchid = \"12a4\""), kBad,
     "customsd.toml:2: merchant.mchid: must be 1 to 32 digits (got \"12a4\")"},
    {"MchidTooLong",
     MerchantWithLine("mchid = \"1230000109\"", "mchid = \"" + std::string(33, '1') + "\""), kBad,
     "merchant.mchid: must be 1 to 32 digits"},
    {"MchidAnInteger", "[merchant]\nmchid = 1230000109\n", kBad,
     "customsd.toml:2: merchant.mchid: must be a string (got an integer)"},
    {"EmptyAppid", MerchantWithLine("appid = \"wxd678efh567hg6787\"", "appid = \"\""), kBad,
     "customsd.toml:3: merchant.appid: must not be empty"},
    {"DeclareCapZero", WithMerchant("[declare]\nmax_file_mb = 0\n"), kBad,
     "declare.max_file_mb: must be at least 1 (got 0)"},
    {"DeclareCapAString", WithMerchant("[declare]\nmax_file_mb = \"big\"\n"), kBad,
     "declare.max_file_mb: must be an integer"},
    {"DeclareCapTooBig", WithMerchant("[declare]\nmax_file_mb = 8192\n"), kBad,
     "declare.max_file_mb: must be at most 4096 (got 8192)"},
    {"AppidWithShellCharacters",
     MerchantWithLine("appid = \"wxd678efh567hg6787\"", "appid = \"wx d678;rm -rf\""), kBad,
     "customsd.toml:3: merchant.appid: must be 1 to 32 characters of A-Z a-z 0-9 _; character 3 "
     "(space) is not allowed"},
    {"AppidTooLong",
     MerchantWithLine("appid = \"wxd678efh567hg6787\"",
                      "appid = \"wx" + std::string(31, 'a') + "\""),
     kBad, "merchant.appid: must be 1 to 32 characters of A-Z a-z 0-9 _; found 33 characters"},
    {"MissingSerialNo", "[merchant]\nmchid = \"1\"\nappid = \"a\"\n", kBad,
     "customsd.toml: merchant.serial_no: required"},
    {"MissingPrivateKeyFile", "[merchant]\nmchid = \"1\"\nappid = \"a\"\nserial_no = \"s\"\n", kBad,
     "merchant.private_key_file: required"},
    {"MissingApiV3KeyFile",
     "[merchant]\nmchid = \"1\"\nappid = \"a\"\nserial_no = \"s\"\nprivate_key_file = \"k\"\n",
     kBad, "merchant.apiv3_key_file: required"},
    {"DuplicateMchid",
     "[[merchants]]\nmchid = \"1\"\nappid = \"a\"\nserial_no = \"s\"\nprivate_key_file = \"k\"\n"
     "apiv3_key_file = \"v\"\n"
     "[[merchants]]\nmchid = \"1\"\nappid = \"b\"\nserial_no = \"t\"\nprivate_key_file = \"k2\"\n"
     "apiv3_key_file = \"v2\"\n",
     kBad, "customsd.toml:8: merchants[1].mchid: duplicate of merchants[0].mchid"},
    {"PublicKeyFileWithoutId", WithMerchant("platform_public_key_file = \"pub.pem\"\n"), kBad,
     "customsd.toml:7: merchant.platform_public_key_id: required when platform_public_key_file"},
    {"PublicKeyIdWithoutFile", WithMerchant("platform_public_key_id = \"PUB_KEY_ID_1\"\n"), kBad,
     "merchant.platform_public_key_file: required when platform_public_key_id"},
    {"PublicKeyIdWithoutPrefix",
     WithMerchant("platform_public_key_file = \"p.pem\"\nplatform_public_key_id = \"KEY_1\"\n"),
     kBad, "customsd.toml:8: merchant.platform_public_key_id: must start with PUB_KEY_ID_"},
    // [wechatpay]
    {"HttpBaseUrlForARemoteHost", WithMerchant("[wechatpay]\nbase_url = \"http://example.com\"\n"),
     kBad, "customsd.toml:8: wechatpay.base_url: http:// is allowed only for loopback hosts"},
    {"HttpBaseUrlForALoopbackLookalike",
     WithMerchant("[wechatpay]\nbase_url = \"http://127.0.0.1.example.com\"\n"), kBad,
     "wechatpay.base_url: http:// is allowed only for loopback hosts"},
    {"BaseUrlWithTrailingSlash",
     WithMerchant("[wechatpay]\nbase_url = \"https://apihk.mch.weixin.qq.com/\"\n"), kBad,
     "wechatpay.base_url: must be scheme://host[:port] without path"},
    {"BaseUrlWithPath", WithMerchant("[wechatpay]\nbase_url = \"https://h.example/v3\"\n"), kBad,
     "wechatpay.base_url: must be scheme://host[:port] without path"},
    {"BaseUrlWithOtherScheme", WithMerchant("[wechatpay]\nbase_url = \"ftp://h.example\"\n"), kBad,
     "wechatpay.base_url: must start with https://"},
    {"BaseUrlWithPortZero", WithMerchant("[wechatpay]\nbase_url = \"https://h.example:0\"\n"), kBad,
     "wechatpay.base_url: has an invalid port"},
    {"PathPrefixWithoutLeadingSlash", WithMerchant("[wechatpay]\npath_prefix = \"v3/global\"\n"),
     kBad, "customsd.toml:8: wechatpay.path_prefix: must be a path that starts with '/'"},
    {"PathPrefixWithTrailingSlash", WithMerchant("[wechatpay]\npath_prefix = \"/v3/global/\"\n"),
     kBad, "wechatpay.path_prefix: must be a path that starts with '/' and does not end"},
    {"ZeroTimeout", WithMerchant("[wechatpay]\ntimeout = \"0s\"\n"), kBad,
     "customsd.toml:8: wechatpay.timeout: must be greater than 0 (got 0s)"},
    {"TimeoutWithoutUnit", WithMerchant("[wechatpay]\ntimeout = 30\n"), kBad,
     "wechatpay.timeout: must be a duration string with a unit, like \"30s\" (got an integer)"},
    {"TimeoutWithFraction", WithMerchant("[wechatpay]\ntimeout = \"1.5s\"\n"), kBad,
     "wechatpay.timeout: invalid duration \"1.5s\": fractions are not allowed"},
    {"ZeroMaxInFlight", WithMerchant("[wechatpay]\nmax_in_flight = 0\n"), kBad,
     "customsd.toml:8: wechatpay.max_in_flight: must be between 1 and 1024 (got 0)"},
    {"TooManyInFlight", WithMerchant("[wechatpay]\nmax_in_flight = 99999999999\n"), kBad,
     "customsd.toml:8: wechatpay.max_in_flight: is out of range (got 99999999999)"},
    {"MaxInFlightAsFloat", WithMerchant("[wechatpay]\nmax_in_flight = 16.0\n"), kBad,
     "wechatpay.max_in_flight: must be an integer (got a float)"},
    {"ZeroRequestsPerSecond", WithMerchant("[wechatpay]\nrequests_per_second = 0\n"), kBad,
     "wechatpay.requests_per_second: must be greater than 0 (got 0)"},
    {"RequestsPerSecondAsString", WithMerchant("[wechatpay]\nrequests_per_second = \"50\"\n"), kBad,
     "wechatpay.requests_per_second: must be a number (got a string)"},
    {"RequestsPerSecondNan", WithMerchant("[wechatpay]\nrequests_per_second = nan\n"), kBad,
     "wechatpay.requests_per_second: must be a finite number"},
    // [database]
    {"EmptyDatabasePath", WithMerchant("[database]\npath = \"\"\n"), kBad,
     "customsd.toml:8: database.path: must not be empty"},
    // [poll] and [retry]
    {"NegativeFirstDelay", WithMerchant("[poll]\nfirst_delay = \"-1m\"\n"), kBad,
     "poll.first_delay: invalid duration \"-1m\": a sign is not allowed"},
    {"PollMultiplierBelowOne", WithMerchant("[poll]\nmultiplier = 0.5\n"), kBad,
     "customsd.toml:8: poll.multiplier: must be at least 1.0 (got 0.5)"},
    {"PollMaxIntervalBelowInitial",
     WithMerchant("[poll]\ninitial_interval = \"10m\"\nmax_interval = \"5m\"\n"), kBad,
     "customsd.toml:9: poll.max_interval: must be at least poll.initial_interval (5m < 10m)"},
    {"PollInitialIntervalAboveDefaultMax", WithMerchant("[poll]\ninitial_interval = \"2h\"\n"),
     kBad, "customsd.toml:8: poll.initial_interval: must not exceed poll.max_interval (30m < 2h)"},
    {"ZeroPollDeadline", WithMerchant("[poll]\ndeadline = \"0h\"\n"), kBad,
     "poll.deadline: must be greater than 0"},
    {"ZeroRetryInitialInterval", WithMerchant("[retry]\ninitial_interval = \"0s\"\n"), kBad,
     "retry.initial_interval: must be greater than 0"},
    {"RetryMultiplierAsString", WithMerchant("[retry]\nmultiplier = \"2\"\n"), kBad,
     "retry.multiplier: must be a number (got a string)"},
    {"ZeroRetryMaxAttempts", WithMerchant("[retry]\nmax_attempts = 0\n"), kBad,
     "customsd.toml:8: retry.max_attempts: must be at least 1 (got 0)"},
    // [redeclare]
    {"NegativeRedeclareMaxAttempts", WithMerchant("[redeclare]\nmax_attempts = -1\n"), kBad,
     "redeclare.max_attempts: must be at least 0 (got -1)"},
    {"OnExceptAsString", WithMerchant("[redeclare]\non_except = \"yes\"\n"), kBad,
     "redeclare.on_except: must be true or false (got a string)"},
    {"ZeroRedeclareInterval", WithMerchant("[redeclare]\ninterval = \"0m\"\n"), kBad,
     "redeclare.interval: must be greater than 0"},
    // [alerts]
    {"WebhookWithOtherScheme", WithMerchant("[alerts]\nwebhook_url = \"ftp://hooks.example\"\n"),
     kBad, "customsd.toml:8: alerts.webhook_url: must be an http:// or https:// URL"},
    {"ClearTextWebhookToARemoteHost",
     WithMerchant("[alerts]\nwebhook_url = \"http://hooks.example/send\"\n"), kBad,
     "alerts.webhook_url: http:// is only for loopback hosts; use https://"},
    {"UnknownWebhookFormat", WithMerchant("[alerts]\nwebhook_format = \"teams\"\n"), kBad,
     "alerts.webhook_format: must be one of generic, wecom, dingtalk, feishu, lark, slack (got "
     "\"teams\")"},
    {"SecretForAnUnsignedFormat",
     WithMerchant("[alerts]\nwebhook_format = \"wecom\"\nwebhook_secret_file = \"s\"\n"), kBad,
     "customsd.toml:9: alerts.webhook_secret_file: only dingtalk and feishu webhooks are signed"},
    {"MentionWithAnAt",
     WithMerchant("[alerts]\nwebhook_format = \"wecom\"\nmention = [\"@bob\"]\n"), kBad,
     "customsd.toml:9: alerts.mention: must hold plain IDs"},
    {"MentionNotStrings", WithMerchant("[alerts]\nmention = [1]\n"), kBad,
     "alerts.mention: must be an array of strings"},
    {"MentionWithTheGenericFormat", WithMerchant("[alerts]\nmention = [\"bob\"]\n"), kBad,
     "alerts.mention: needs a chat webhook_format"},
    {"UnknownDigest", WithMerchant("[alerts]\ndigest = \"hourly\"\n"), kBad,
     "customsd.toml:8: alerts.digest: must be one of off, daily (got \"hourly\")"},
    {"DigestAtNotATime", WithMerchant("[alerts]\ndigest_at = \"9am\"\n"), kBad,
     "alerts.digest_at: must be HH:MM in UTC"},
    {"DigestAtOutOfRange", WithMerchant("[alerts]\ndigest_at = \"24:00\"\n"), kBad,
     "alerts.digest_at: must be HH:MM in UTC"},
    {"FloodLimitZero", WithMerchant("[alerts]\nflood_limit = 0\n"), kBad, "alerts.flood_limit"},
    {"UnknownEmailKey", WithMerchant("[alerts.email]\nsmtp_host = \"x\"\n"), kBad,
     "customsd.toml:8: alerts.email.smtp_host: unknown key"},
    {"EmailWithoutRecipients",
     WithMerchant(
         "[alerts.email]\nsmtp_url = \"smtps://smtp.example.com\"\nfrom = \"a@example.com\"\n"),
     kBad, "alerts.email.to: must name at least one address"},
    {"EmailRecipientWithAName",
     WithMerchant(
         "[alerts.email]\nsmtp_url = \"smtps://smtp.example.com\"\nfrom = \"a@example.com\"\n"
         "to = [\"Ops <ops@example.com>\"]\n"),
     kBad, "alerts.email.to: must hold bare addresses"},
    {"EmailUserWithoutPassword",
     WithMerchant(
         "[alerts.email]\nsmtp_url = \"smtps://smtp.example.com\"\nfrom = \"a@example.com\"\n"
         "to = [\"ops@example.com\"]\nusername = \"u\"\n"),
     kBad, "alerts.email.username: username and password_file go together"},
    {"EmailWithAnotherScheme",
     WithMerchant(
         "[alerts.email]\nsmtp_url = \"http://smtp.example.com\"\nfrom = \"a@example.com\"\n"
         "to = [\"ops@example.com\"]\n"),
     kBad, "alerts.email.smtp_url:"},
    {"EmailToWithoutServer", WithMerchant("[alerts.email]\nto = [\"ops@example.com\"]\n"), kBad,
     "alerts.email.smtp_url: is required"},
    {"RelativeAlertCommand", WithMerchant("[alerts]\ncommand = \"notify.sh\"\n"), kBad,
     "alerts.command: must be an absolute path"},
    // [metrics]
    {"ListenWithoutPort", WithMerchant("[metrics]\nlisten = \"127.0.0.1\"\n"), kBad,
     "customsd.toml:8: metrics.listen: must be host:port or [v6]:port"},
    {"ListenOnPortZero", WithMerchant("[metrics]\nlisten = \"127.0.0.1:0\"\n"), kBad,
     "metrics.listen: port must be 1-65535"},
    {"ListenOnPortTooHigh", WithMerchant("[metrics]\nlisten = \"[::1]:65536\"\n"), kBad,
     "metrics.listen: port must be 1-65535"},
    // [log]
    {"UnknownLogLevel", WithMerchant("[log]\nlevel = \"verbose\"\n"), kBad,
     "customsd.toml:8: log.level: must be one of trace, debug, info, warn, error, critical, off"},
};

INSTANTIATE_TEST_SUITE_P(BadConfigs, ParseConfigRefuses, testing::ValuesIn(kBadConfigs),
                         [](const testing::TestParamInfo<BadConfig>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace customsd
