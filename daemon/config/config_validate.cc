// The value rules of the configuration. ParseConfig has already checked the document's shape
// and every value's type; this file decides whether the values make sense, and places each
// message at the line where the offending key was written.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "daemon/config/config.h"
#include "daemon/config/duration.h"
#include "daemon/config/smtp_url.h"
#include "daemon/intake/field_checks.h"

namespace customsd {
namespace {

using std::chrono::milliseconds;

// Shortest form that reads back as the same number: 0.5, 2, 7.5.
std::string FormatNumber(double value) {
  char buf[64];
  const std::to_chars_result result = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, result.ptr);
}

class Checker {
 public:
  Checker(const ConfigKeyLines& lines, std::string_view source) : lines_(lines), source_(source) {}

  bool Written(std::string_view key) const { return lines_.find(key) != lines_.end(); }

  Status Fail(std::string_view key, std::string_view what) const {
    const auto it = lines_.find(key);
    return ConfigError(source_, it == lines_.end() ? 0 : it->second, key, what);
  }
  // For a problem with `key` that is best located by another key's line (e.g. a missing key
  // that another key requires).
  Status FailAt(std::string_view line_key, std::string_view key, std::string_view what) const {
    const auto it = lines_.find(line_key);
    return ConfigError(source_, it == lines_.end() ? 0 : it->second, key, what);
  }

  Status NotEmpty(std::string_view key, const std::string& value) const {
    return value.empty() ? Fail(key, "must not be empty") : Status::Ok();
  }
  Status Positive(std::string_view key, milliseconds value) const {
    if (value.count() > 0) {
      return Status::Ok();
    }
    return Fail(key, "must be greater than 0 (got " + FormatDuration(value) + ")");
  }
  Status AtLeast(std::string_view key, int value, int min) const {
    if (value >= min) {
      return Status::Ok();
    }
    return Fail(key,
                "must be at least " + std::to_string(min) + " (got " + std::to_string(value) + ")");
  }
  Status OneOf(std::string_view key, const std::string& value,
               const std::vector<std::string_view>& allowed) const {
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
      return Status::Ok();
    }
    std::string list;
    for (std::string_view choice : allowed) {
      if (!list.empty()) {
        list += ", ";
      }
      list += choice;
    }
    return Fail(key, "must be one of " + list + " (got " + QuoteForMessage(value) + ")");
  }
  // Prefixes a single-value check's message with the key.
  Status Check(std::string_view key, const Status& status) const {
    return status.ok() ? Status::Ok() : Fail(key, status.message());
  }

 private:
  const ConfigKeyLines& lines_;
  std::string_view source_;
};

Status CheckMerchant(const Checker& c, const MerchantConfig& m) {
  const std::string name = m.config_key.empty() ? "merchant" : m.config_key;
  const auto key = [&name](std::string_view k) { return name + "." + std::string(k); };
  CUSTOMSD_RETURN_IF_ERROR(c.NotEmpty(key("mchid"), m.mchid));
  const bool digits =
      std::all_of(m.mchid.begin(), m.mchid.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits || m.mchid.size() > 32) {
    return c.Fail(key("mchid"), "must be 1 to 32 digits (got " + QuoteForMessage(m.mchid) + ")");
  }
  CUSTOMSD_RETURN_IF_ERROR(c.NotEmpty(key("appid"), m.appid));
  // It goes into every declaration and query string: the declaration's own rule applies.
  if (auto problem = IdentityFieldProblem("appid", m.appid)) {
    return c.Fail(key("appid"), *problem);
  }
  CUSTOMSD_RETURN_IF_ERROR(c.NotEmpty(key("serial_no"), m.serial_no));
  CUSTOMSD_RETURN_IF_ERROR(c.NotEmpty(key("private_key_file"), m.private_key_file));
  CUSTOMSD_RETURN_IF_ERROR(c.NotEmpty(key("apiv3_key_file"), m.apiv3_key_file));
  // Public-key mode needs both the key and its id; one without the other is a half-done edit.
  const std::string file_key = key("platform_public_key_file");
  const std::string id_key = key("platform_public_key_id");
  if (!m.platform_public_key_file.empty() && m.platform_public_key_id.empty()) {
    return c.FailAt(file_key, id_key, "required when platform_public_key_file is set");
  }
  if (m.platform_public_key_file.empty() && !m.platform_public_key_id.empty()) {
    return c.FailAt(id_key, file_key, "required when platform_public_key_id is set");
  }
  constexpr std::string_view kIdPrefix = "PUB_KEY_ID_";
  const std::string& id = m.platform_public_key_id;
  if (!id.empty() && (!id.starts_with(kIdPrefix) || id.size() == kIdPrefix.size())) {
    return c.Fail(id_key, "must start with PUB_KEY_ID_ (got " + QuoteForMessage(id) + ")");
  }
  return Status::Ok();
}

Status CheckMerchants(const Checker& c, const std::vector<MerchantConfig>& merchants) {
  if (merchants.empty()) {
    return c.Fail("merchant", "required (a [merchant] table, or [[merchants]] tables for several)");
  }
  for (size_t i = 0; i < merchants.size(); ++i) {
    CUSTOMSD_RETURN_IF_ERROR(CheckMerchant(c, merchants[i]));
    for (size_t j = 0; j < i; ++j) {
      if (merchants[j].mchid == merchants[i].mchid) {
        return c.Fail(merchants[i].config_key + ".mchid",
                      "duplicate of " + merchants[j].config_key + ".mchid (" +
                          QuoteForMessage(merchants[i].mchid) + ")");
      }
    }
  }
  return Status::Ok();
}

Status CheckWechatpay(const Checker& c, const Config::Wechatpay& w) {
  CUSTOMSD_RETURN_IF_ERROR(c.Check("wechatpay.base_url", CheckBaseUrl(w.base_url)));
  const std::string& prefix = w.path_prefix;
  const bool plain = std::none_of(prefix.begin(), prefix.end(), [](char ch) {
    return static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f || ch == '?' || ch == '#';
  });
  if (!prefix.starts_with('/') || prefix.ends_with('/') || !plain) {
    return c.Fail("wechatpay.path_prefix",
                  "must be a path that starts with '/' and does not end with '/' (got " +
                      QuoteForMessage(prefix) + ")");
  }
  CUSTOMSD_RETURN_IF_ERROR(c.Positive("wechatpay.timeout", w.timeout));
  if (w.max_in_flight < 1 || w.max_in_flight > 1024) {
    return c.Fail("wechatpay.max_in_flight",
                  "must be between 1 and 1024 (got " + std::to_string(w.max_in_flight) + ")");
  }
  if (!(w.requests_per_second > 0) || !std::isfinite(w.requests_per_second)) {
    return c.Fail("wechatpay.requests_per_second",
                  "must be greater than 0 (got " + FormatNumber(w.requests_per_second) + ")");
  }
  return Status::Ok();
}

// [poll] or [retry]: both intervals positive, max not below initial, multiplier at least 1.
Status CheckBackoff(const Checker& c, const std::string& section, const BackoffConfig& b) {
  const std::string initial = section + ".initial_interval";
  const std::string max = section + ".max_interval";
  CUSTOMSD_RETURN_IF_ERROR(c.Positive(initial, b.initial_interval));
  CUSTOMSD_RETURN_IF_ERROR(c.Positive(max, b.max_interval));
  if (!(b.multiplier >= 1.0) || !std::isfinite(b.multiplier)) {
    return c.Fail(section + ".multiplier",
                  "must be at least 1.0 (got " + FormatNumber(b.multiplier) + ")");
  }
  if (b.max_interval < b.initial_interval) {
    const std::string got =
        " (" + FormatDuration(b.max_interval) + " < " + FormatDuration(b.initial_interval) + ")";
    // Blame the key the operator wrote: initial_interval when max_interval is the default.
    if (!c.Written(max) && c.Written(initial)) {
      return c.Fail(initial, "must not exceed " + max + got);
    }
    return c.Fail(max, "must be at least " + initial + got);
  }
  return Status::Ok();
}

Status CheckSchedules(const Checker& c, const Config& config) {
  if (config.poll.first_delay.count() < 0) {
    return c.Fail("poll.first_delay", "must not be negative");
  }
  CUSTOMSD_RETURN_IF_ERROR(CheckBackoff(c, "poll", config.poll.backoff));
  CUSTOMSD_RETURN_IF_ERROR(c.Positive("poll.deadline", config.poll.deadline));
  CUSTOMSD_RETURN_IF_ERROR(CheckBackoff(c, "retry", config.retry.backoff));
  CUSTOMSD_RETURN_IF_ERROR(c.AtLeast("retry.max_attempts", config.retry.max_attempts, 1));
  CUSTOMSD_RETURN_IF_ERROR(c.AtLeast("redeclare.max_attempts", config.redeclare.max_attempts, 0));
  return c.Positive("redeclare.interval", config.redeclare.interval);
}

bool IsHourMinute(const std::string& t) {
  auto digit = [&t](size_t i) { return t[i] >= '0' && t[i] <= '9'; };
  return t.size() == 5 && digit(0) && digit(1) && t[2] == ':' && digit(3) && digit(4) &&
         std::stoi(t.substr(0, 2)) < 24 && std::stoi(t.substr(3, 2)) < 60;
}

Status CheckEmail(const Checker& c, const Config::Alerts::Email& e) {
  if (e.smtp_url.empty()) {
    if (!e.to.empty() || !e.from.empty()) {
      return c.Fail("alerts.email.smtp_url", "is required when alerts.email has from or to");
    }
    return Status::Ok();
  }
  if (std::string why = CheckSmtpUrl(e.smtp_url); !why.empty()) {
    return c.Fail("alerts.email.smtp_url", why);
  }
  CUSTOMSD_RETURN_IF_ERROR(c.NotEmpty("alerts.email.from", e.from));
  if (e.to.empty()) return c.Fail("alerts.email.to", "must name at least one address");
  for (const std::string& address : e.to) {
    if (address.find('@') == std::string::npos ||
        address.find_first_of("<>, \r\n") != std::string::npos) {
      return c.Fail("alerts.email.to", "must hold bare addresses like ops@example.com (got " +
                                           QuoteForMessage(address) + ")");
    }
  }
  if (e.username.empty() != e.password_file.empty()) {
    // Named by the key that was written, so the message has its line.
    return c.Fail(e.username.empty() ? "alerts.email.password_file" : "alerts.email.username",
                  "username and password_file go together");
  }
  return Status::Ok();
}

Status CheckAlerts(const Checker& c, const Config::Alerts& a) {
  CUSTOMSD_RETURN_IF_ERROR(c.Check("alerts.webhook_url", CheckWebhookUrl(a.webhook_url)));
  CUSTOMSD_RETURN_IF_ERROR(c.OneOf("alerts.webhook_format", a.webhook_format,
                                   {"generic", "wecom", "dingtalk", "feishu", "lark", "slack"}));
  const bool signs =
      a.webhook_format == "dingtalk" || a.webhook_format == "feishu" || a.webhook_format == "lark";
  if (!a.webhook_secret_file.empty() && !signs) {
    return c.Fail("alerts.webhook_secret_file", "only dingtalk and feishu webhooks are signed");
  }
  const bool chat = a.webhook_format != "generic";
  if (!a.mention.empty() && !chat) {
    return c.Fail("alerts.mention", "needs a chat webhook_format (wecom, dingtalk, feishu, slack)");
  }
  for (const std::string& m : a.mention) {
    if (m.empty() || m.find_first_of("<>@ \t\r\n\"") != std::string::npos) {
      return c.Fail("alerts.mention",
                    "must hold plain IDs (a WeCom userid, a DingTalk mobile or userId, a Feishu "
                    "open_id, a Slack member ID, or all/here/channel) without @ (got " +
                        QuoteForMessage(m) + ")");
    }
  }
  if (!a.command.empty() && !a.command.starts_with('/')) {
    return c.Fail("alerts.command",
                  "must be an absolute path or \"\" (got " + QuoteForMessage(a.command) + ")");
  }
  CUSTOMSD_RETURN_IF_ERROR(c.OneOf("alerts.digest", a.digest, {"off", "daily"}));
  if (!IsHourMinute(a.digest_at)) {
    return c.Fail("alerts.digest_at", "must be HH:MM in UTC, like \"09:00\" (got " +
                                          QuoteForMessage(a.digest_at) + ")");
  }
  CUSTOMSD_RETURN_IF_ERROR(c.AtLeast("alerts.flood_limit", a.flood_limit, 1));
  return CheckEmail(c, a.email);
}

Status CheckApi(const Checker& c, const Config::Api& a) {
  if (a.listen.empty()) return Status::Ok();
  CUSTOMSD_RETURN_IF_ERROR(c.Check("api.listen", CheckListenAddress(a.listen)));
  CUSTOMSD_RETURN_IF_ERROR(c.NotEmpty("api.token_file", a.token_file));
  if (a.tls_cert_file.empty() != a.tls_key_file.empty()) {
    return c.Fail(a.tls_cert_file.empty() ? "api.tls_cert_file" : "api.tls_key_file",
                  "api.tls_cert_file and api.tls_key_file come together");
  }
  const std::string host = a.listen.substr(0, a.listen.rfind(':'));
  if (!IsLoopbackHost(host)) {
    if (!a.allow_remote) {
      return c.Fail("api.listen",
                    "is not a loopback address; the API takes remote callers only with "
                    "allow_remote = true and tls_cert_file/tls_key_file (got " +
                        QuoteForMessage(a.listen) + ")");
    }
    if (a.tls_cert_file.empty()) {
      return c.Fail("api.tls_cert_file",
                    "is required when api.listen is not a loopback address: tokens must not "
                    "cross a network in clear text");
    }
  }
  CUSTOMSD_RETURN_IF_ERROR(c.AtLeast("api.max_body_mb", a.max_body_mb, 1));
  if (a.max_body_mb > 1024) {
    return c.Fail("api.max_body_mb",
                  "must be at most 1024 (got " + std::to_string(a.max_body_mb) + ")");
  }
  return Status::Ok();
}

Status CheckNotify(const Checker& c, const std::vector<Config::Notify>& notify) {
  for (const Config::Notify& n : notify) {
    const std::string key = n.config_key + ".";
    CUSTOMSD_RETURN_IF_ERROR(c.NotEmpty(key + "url", n.url));
    CUSTOMSD_RETURN_IF_ERROR(c.Check(key + "url", CheckWebhookUrl(n.url)));
    CUSTOMSD_RETURN_IF_ERROR(c.NotEmpty(key + "secret_file", n.secret_file));
    for (const std::string& e : n.events) {
      CUSTOMSD_RETURN_IF_ERROR(c.OneOf(key + "events", e,
                                       {"declaration.succeeded", "declaration.failed",
                                        "declaration.attention", "declaration.redeclared"}));
    }
  }
  return Status::Ok();
}

Status CheckAlertsMetricsLog(const Checker& c, const Config& config) {
  CUSTOMSD_RETURN_IF_ERROR(CheckApi(c, config.api));
  CUSTOMSD_RETURN_IF_ERROR(CheckNotify(c, config.notify));
  CUSTOMSD_RETURN_IF_ERROR(CheckAlerts(c, config.alerts));
  CUSTOMSD_RETURN_IF_ERROR(c.Check("metrics.listen", CheckListenAddress(config.metrics.listen)));
  CUSTOMSD_RETURN_IF_ERROR(c.AtLeast("declare.max_file_mb", config.declare.max_file_mb, 1));
  if (config.declare.max_file_mb > 4096) {
    return c.Fail("declare.max_file_mb",
                  "must be at most 4096 (got " + std::to_string(config.declare.max_file_mb) + ")");
  }
  return c.OneOf("log.level", config.log.level,
                 {"trace", "debug", "info", "warn", "error", "critical", "off"});
}

}  // namespace

Status ValidateConfig(const Config& config, const ConfigKeyLines& lines, std::string_view source) {
  const Checker c(lines, source);
  CUSTOMSD_RETURN_IF_ERROR(CheckMerchants(c, config.merchants));
  CUSTOMSD_RETURN_IF_ERROR(CheckWechatpay(c, config.wechatpay));
  CUSTOMSD_RETURN_IF_ERROR(c.NotEmpty("database.path", config.database.path));
  CUSTOMSD_RETURN_IF_ERROR(CheckSchedules(c, config));
  return CheckAlertsMetricsLog(c, config);
}

#undef CUSTOMSD_RETURN_IF_ERROR

}  // namespace customsd
