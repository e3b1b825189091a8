// customsd's configuration: the TOML file described in product.md ("Config (TOML)"), parsed and
// fully validated into a Config.
//
// Choices (and why):
//  - Unknown keys and unknown tables are errors. A typo such as `timout = "5s"` would otherwise
//    be ignored silently and the daemon would run with a default the operator did not choose.
//  - Every error is one line, "<file>[:<line>]: <key>: <what is wrong>", with the line number
//    whenever toml++ reports one (a missing key has none). Only the first problem is reported:
//    first TOML syntax, then the document's shape and value types (config_parse.cc), then the
//    value rules (ValidateConfig, config_validate.cc). Content problems are kInvalidInput; a
//    file that cannot be read is kIoError.
//  - Integers are accepted where a number is wanted (`multiplier = 2`); never the other way.
//  - Relative paths resolve when the config is parsed, so the rest of the daemon only sees
//    absolute ones: private_key_file, apiv3_key_file and platform_public_key_file resolve
//    against $CREDENTIALS_DIRECTORY when it is set (systemd LoadCredential=), every other path
//    (wechatpay.ca_file, database.path) against the config file's folder. Absolute paths stay.
//  - Empty platform_public_key_file / platform_public_key_id / wechatpay.ca_file mean "not set".
//  - Messages never echo alerts.webhook_url: webhook URLs usually carry an access token.
//  - Within [[merchants]] the key names carry a 0-based index: "merchants[1].mchid".
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/backoff.h"
#include "common/status.h"
#include "common/text.h"

namespace customsd {

struct MerchantConfig {
  std::string mchid;
  std::string appid;
  std::string serial_no;
  std::string private_key_file;          // resolved path
  std::string apiv3_key_file;            // resolved path
  std::string platform_public_key_file;  // resolved path; "" when not in public-key mode
  std::string platform_public_key_id;    // "PUB_KEY_ID_..."; "" when not in public-key mode
  std::string config_key;                // "merchant" or "merchants[N]", for messages
};

struct Config {
  std::string source_path;                // the file it came from
  std::vector<MerchantConfig> merchants;  // from [merchant] or [[merchants]]; never empty

  struct Wechatpay {
    std::string base_url = "https://apihk.mch.weixin.qq.com";
    std::string path_prefix = "/v3/global";
    std::string ca_file;  // resolved path; "" = system CAs only
    std::chrono::milliseconds timeout{30'000};
    int max_in_flight = 16;
    double requests_per_second = 50;
  } wechatpay;

  struct Database {
    std::string path = "/var/lib/customsd/customsd.db";
  } database;

  struct Poll {
    std::chrono::milliseconds first_delay{60'000};
    BackoffConfig backoff{std::chrono::minutes(1), std::chrono::minutes(30), 2.0};
    std::chrono::milliseconds deadline{std::chrono::hours(72)};
  } poll;

  struct Retry {
    BackoffConfig backoff{std::chrono::seconds(10), std::chrono::hours(1), 2.0};
    int max_attempts = 12;
  } retry;

  struct Redeclare {
    bool on_except = true;
    int max_attempts = 3;
    std::chrono::milliseconds interval{std::chrono::minutes(30)};
  } redeclare;

  struct Alerts {
    std::string webhook_url;  // "" = no webhook
    std::string webhook_format = "generic";
    std::string webhook_secret_file;   // dingtalk/feishu signing secret; "" = unsigned
    std::vector<std::string> mention;  // people the chat message @-mentions
    std::string command;               // "" = no command; else an absolute path
    // Flood control: with digest = "daily", once flood_limit alerts went out one by one in
    // the last hour, further alerts wait for one digest a day at digest_at (HH:MM, UTC).
    std::string digest = "off";
    std::string digest_at = "09:00";
    int flood_limit = 20;
    struct Email {
      std::string smtp_url;  // "" = no email
      std::string from;
      std::vector<std::string> to;
      std::string username;  // "" = no SMTP AUTH
      std::string password_file;
    } email;
  } alerts;

  struct Metrics {
    std::string listen = "127.0.0.1:9469";  // "" = off
  } metrics;

  // The order systems' API (daemon/api/). Off unless the config has an [api] table; the table
  // alone turns it on at 127.0.0.1:9470, and listen = "" turns it off again.
  struct Api {
    std::string listen;         // "" = off
    std::string token_file;     // bearer tokens, one per line; required when listen is set
    bool allow_remote = false;  // a non-loopback listen also needs tls_cert_file and tls_key_file
    std::string tls_cert_file, tls_key_file;
    int max_body_mb = 32;  // larger request bodies get 413 (MiB, 1 to 1024)
    bool console = false;  // the web console at /console/ (daemon/api/console_files.h)
  } api;

  // [[notify]]: result notifications to the order system (daemon/api/notify_deliverer.h).
  struct Notify {
    std::string config_key;           // "notify[0]", for messages
    std::string url;                  // http(s)://; http only to a loopback host
    std::string secret_file;          // HMAC-SHA256 key of Customsd-Signature (0600)
    std::vector<std::string> events;  // types to send; empty = every type
  };
  std::vector<Notify> notify;

  struct Declare {
    int max_file_mb = 256;  // `customsd declare --file` refuses larger input (MiB, 1 to 4096)
  } declare;

  struct Log {
    std::string level = "info";
  } log;

  // nullptr when no merchant has this mchid.
  const MerchantConfig* FindMerchant(std::string_view mchid) const;
};

struct ConfigContext {
  std::string source_name;                     // for messages, e.g. "/etc/customsd/customsd.toml"
  std::string config_dir;                      // relative paths resolve here...
  std::optional<std::string> credentials_dir;  // ...but key paths resolve here when set
};

// Parses, validates (ValidateConfig) and resolves relative paths; touches no file (key files
// are checked by CheckSecretFiles).
StatusOr<Config> ParseConfig(std::string_view toml_text, const ConfigContext& ctx);

// Reads the file at `path` and parses it. config_dir is the absolute folder of `path`;
// credentials_dir comes from $CREDENTIALS_DIRECTORY when it is set and non-empty.
StatusOr<Config> LoadConfig(const std::string& path);

// Where each key was written: "poll.multiplier" -> line (0 when toml++ gave none). A key that
// was not written has no entry. Filled while reading the TOML; ValidateConfig uses it to place
// its messages.
using ConfigKeyLines = std::map<std::string, uint32_t, std::less<>>;

// The value rules (non-empty, ranges, URLs, choices, cross-key checks) on a Config as read from
// `source`, before relative paths are resolved. ParseConfig calls it; it also works on a Config
// built in code (with empty `lines`, messages carry no line numbers).
Status ValidateConfig(const Config& config, const ConfigKeyLines& lines, std::string_view source);

// The one-line error: "<source>[:<line>]: <key>: <what>", kInvalidInput; line 0 = no line.
Status ConfigError(std::string_view source, uint32_t line, std::string_view key,
                   std::string_view what);

// Single-value checks used by ValidateConfig. Each returns kInvalidInput with a message that
// does not name the key (the caller prefixes it).

// "https://host[:port]", or "http://" for a loopback host; no path, query or trailing slash.
Status CheckBaseUrl(std::string_view url);
// "" or an http:// or https:// URL. The message never contains the URL.
Status CheckWebhookUrl(std::string_view url);
// "" or "host:port" or "[v6]:port", port 1..65535.
Status CheckListenAddress(std::string_view listen);
// True for "localhost", 127.0.0.0/8 in dotted-quad form, and "[::1]".
bool IsLoopbackHost(std::string_view host);

// `path` unchanged when absolute or empty, else base_dir/path.
std::string ResolveConfigPath(std::string_view path, std::string_view base_dir);

}  // namespace customsd
