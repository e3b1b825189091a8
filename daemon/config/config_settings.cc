#include "daemon/config/config_settings.h"

#include "daemon/config/duration.h"

namespace customsd {
namespace {

std::string ListText(const std::vector<std::string>& items) {
  std::string text = "[";
  for (const std::string& item : items) text += (text.size() > 1 ? ", " : "") + item;
  return text + "]";
}

std::string NumberText(double d) {
  std::string text = std::to_string(d);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

void AddBackoff(ConfigSettings& s, const std::string& table, const BackoffConfig& b) {
  s[table + ".initial_interval"] = FormatDuration(b.initial_interval);
  s[table + ".max_interval"] = FormatDuration(b.max_interval);
  s[table + ".multiplier"] = NumberText(b.multiplier);
}

}  // namespace

ConfigSettings SettingsOf(const Config& c) {
  ConfigSettings s;
  for (const MerchantConfig& m : c.merchants) {
    const std::string key = "merchants[" + m.mchid + "].";
    s[key + "mchid"] = m.mchid;
    s[key + "appid"] = m.appid;
    s[key + "serial_no"] = m.serial_no;
    s[key + "private_key_file"] = m.private_key_file;
    s[key + "apiv3_key_file"] = m.apiv3_key_file;
    s[key + "platform_public_key_file"] = m.platform_public_key_file;
    s[key + "platform_public_key_id"] = m.platform_public_key_id;
  }
  s["wechatpay.base_url"] = c.wechatpay.base_url;
  s["wechatpay.path_prefix"] = c.wechatpay.path_prefix;
  s["wechatpay.ca_file"] = c.wechatpay.ca_file;
  s["wechatpay.timeout"] = FormatDuration(c.wechatpay.timeout);
  s["wechatpay.max_in_flight"] = std::to_string(c.wechatpay.max_in_flight);
  s["wechatpay.requests_per_second"] = NumberText(c.wechatpay.requests_per_second);
  s["database.path"] = c.database.path;
  s["poll.first_delay"] = FormatDuration(c.poll.first_delay);
  AddBackoff(s, "poll", c.poll.backoff);
  s["poll.deadline"] = FormatDuration(c.poll.deadline);
  AddBackoff(s, "retry", c.retry.backoff);
  s["retry.max_attempts"] = std::to_string(c.retry.max_attempts);
  s["redeclare.on_except"] = c.redeclare.on_except ? "true" : "false";
  s["redeclare.max_attempts"] = std::to_string(c.redeclare.max_attempts);
  s["redeclare.interval"] = FormatDuration(c.redeclare.interval);
  s["alerts.webhook_url"] = c.alerts.webhook_url;
  s["alerts.webhook_format"] = c.alerts.webhook_format;
  s["alerts.webhook_secret_file"] = c.alerts.webhook_secret_file;
  s["alerts.mention"] = ListText(c.alerts.mention);
  s["alerts.command"] = c.alerts.command;
  s["alerts.digest"] = c.alerts.digest;
  s["alerts.digest_at"] = c.alerts.digest_at;
  s["alerts.flood_limit"] = std::to_string(c.alerts.flood_limit);
  s["alerts.email.smtp_url"] = c.alerts.email.smtp_url;
  s["alerts.email.from"] = c.alerts.email.from;
  s["alerts.email.to"] = ListText(c.alerts.email.to);
  s["alerts.email.username"] = c.alerts.email.username;
  s["alerts.email.password_file"] = c.alerts.email.password_file;
  s["metrics.listen"] = c.metrics.listen;
  s["api.listen"] = c.api.listen;
  s["api.token_file"] = c.api.token_file;
  s["api.allow_remote"] = c.api.allow_remote ? "true" : "false";
  s["api.tls_cert_file"] = c.api.tls_cert_file;
  s["api.tls_key_file"] = c.api.tls_key_file;
  s["api.max_body_mb"] = std::to_string(c.api.max_body_mb);
  s["api.console"] = c.api.console ? "true" : "false";
  for (const Config::Notify& n : c.notify) {
    s[n.config_key + ".url"] = n.url;
    s[n.config_key + ".secret_file"] = n.secret_file;
    s[n.config_key + ".events"] = ListText(n.events);
  }
  s["declare.max_file_mb"] = std::to_string(c.declare.max_file_mb);
  s["log.level"] = c.log.level;
  return s;
}

bool AppliedOnReload(const std::string& key) {
  return key == "log.level" || key.rfind("merchants[", 0) == 0 || key.rfind("declare.", 0) == 0;
}

}  // namespace customsd
