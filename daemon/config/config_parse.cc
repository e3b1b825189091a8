// Reads the TOML document into a Config: the shape of the document (which tables, which keys,
// [merchant] versus [[merchants]]), the type of every value, and the presence of required keys.
// It records the line of every key it reads so that ValidateConfig (config_validate.cc), which
// owns the value rules, can place its messages.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/config/duration.h"

// Use the installed shared library rather than compiling toml++ into this object (it is
// header-only by default). A build that passes pkg-config's flags sets this already.
#ifndef TOML_SHARED_LIB
#define TOML_SHARED_LIB 1
#endif
#include <toml++/toml.h>

namespace customsd {
namespace {

using std::chrono::milliseconds;

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

// A key as it appears in a message: bare keys as is, anything else quoted and escaped.
std::string KeyText(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return bare ? std::string(key) : QuoteForMessage(key);
}

uint32_t LineOf(const toml::node& node) { return node.source().begin.line; }

// One table of the document ([poll], [merchant], merchants[1], or the root when name is "").
// Read* leave the output untouched when the key is absent, so defaults live in Config, and
// record the line of every key they find.
class Section {
 public:
  Section(const std::string& source, std::string name, const toml::table* table,
          ConfigKeyLines* lines)
      : source_(source), name_(std::move(name)), table_(table), lines_(lines) {}

  std::string Key(std::string_view key) const {
    return name_.empty() ? KeyText(key) : name_ + "." + KeyText(key);
  }

  // Reports the unknown key that comes first in the file (toml++ iterates in key order).
  Status RefuseUnknownKeys(const std::vector<std::string_view>& known) const {
    if (table_ == nullptr) {
      return Status::Ok();
    }
    const toml::key* first_key = nullptr;
    const toml::node* first_node = nullptr;
    uint32_t first_line = 0;
    for (auto&& [key, node] : *table_) {
      if (std::find(known.begin(), known.end(), key.str()) != known.end()) {
        continue;
      }
      uint32_t line = key.source().begin.line;
      if (line == 0) {
        line = LineOf(node);
      }
      if (first_key == nullptr || (line != 0 && (first_line == 0 || line < first_line))) {
        first_key = &key;
        first_node = &node;
        first_line = line;
      }
    }
    if (first_key == nullptr) {
      return Status::Ok();
    }
    return ConfigError(source_, first_line, Key(first_key->str()),
                       first_node->is_table() ? "unknown table" : "unknown key");
  }

  Status ReadString(std::string_view key, std::string* out) const {
    const toml::node* node = Find(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    if (!node->is_string()) {
      return WrongType(key, *node, "a string");
    }
    *out = node->as_string()->get();
    return Status::Ok();
  }

  Status RequireString(std::string_view key, std::string* out) const {
    if (table_ == nullptr || !table_->contains(key)) {
      return ConfigError(source_, 0, Key(key), "required");
    }
    return ReadString(key, out);
  }

  // Ranges are ValidateConfig's business; here the value only has to fit an int.
  Status ReadInt(std::string_view key, int* out) const {
    const toml::node* node = Find(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    if (!node->is_integer()) {
      return WrongType(key, *node, "an integer");
    }
    const int64_t value = node->as_integer()->get();
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      return Fail(key, "is out of range (got " + std::to_string(value) + ")");
    }
    *out = static_cast<int>(value);
    return Status::Ok();
  }

  // Integers are accepted too: `multiplier = 2` is as clear as `2.0`.
  Status ReadNumber(std::string_view key, double* out) const {
    const toml::node* node = Find(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    if (node->is_integer()) {
      *out = static_cast<double>(node->as_integer()->get());
    } else if (node->is_floating_point()) {
      if (!std::isfinite(node->as_floating_point()->get())) {
        return Fail(key, "must be a finite number");
      }
      *out = node->as_floating_point()->get();
    } else {
      return WrongType(key, *node, "a number");
    }
    return Status::Ok();
  }

  Status ReadBool(std::string_view key, bool* out) const {
    const toml::node* node = Find(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    if (!node->is_boolean()) {
      return WrongType(key, *node, "true or false");
    }
    *out = node->as_boolean()->get();
    return Status::Ok();
  }

  Status ReadStrings(std::string_view key, std::vector<std::string>* out) const {
    const toml::node* node = Find(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      return WrongType(key, *node, "an array of strings");
    }
    std::vector<std::string> values;
    for (const toml::node& item : *array) {
      if (!item.is_string()) {
        return WrongType(key, item, "an array of strings");
      }
      values.push_back(item.as_string()->get());
    }
    *out = std::move(values);
    return Status::Ok();
  }

  // The sub-table `key` ([alerts.email]); an absent one reads as empty, so defaults stay.
  StatusOr<Section> Table(std::string_view key) const {
    const toml::node* node = table_ == nullptr ? nullptr : table_->get(key);
    if (node != nullptr && !node->is_table()) {
      return WrongType(key, *node, "a table");
    }
    return Section(source_, Key(key), node == nullptr ? nullptr : node->as_table(), lines_);
  }

  Status ReadDuration(std::string_view key, milliseconds* out) const {
    const toml::node* node = Find(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    if (!node->is_string()) {
      return WrongType(key, *node, "a duration string with a unit, like \"30s\"");
    }
    StatusOr<milliseconds> parsed = ParseDuration(node->as_string()->get());
    if (!parsed.ok()) {
      return Fail(key, parsed.status().message());
    }
    *out = *parsed;
    return Status::Ok();
  }

 private:
  // The node for `key`, recording its line; nullptr when absent.
  const toml::node* Find(std::string_view key) const {
    const toml::node* node = table_ == nullptr ? nullptr : table_->get(key);
    if (node != nullptr) {
      (*lines_)[Key(key)] = LineOf(*node);
    }
    return node;
  }
  Status Fail(std::string_view key, std::string_view what) const {
    return ConfigError(source_, LineOf(*table_->get(key)), Key(key), what);
  }
  Status WrongType(std::string_view key, const toml::node& node, std::string_view want) const {
    return Fail(key, "must be " + std::string(want) + " (got " + TypeName(node) + ")");
  }

  const std::string& source_;
  std::string name_;
  const toml::table* table_;
  ConfigKeyLines* lines_;
};

Status ReadMerchant(const Section& s, MerchantConfig* m) {
  CUSTOMSD_RETURN_IF_ERROR(
      s.RefuseUnknownKeys({"mchid", "appid", "serial_no", "private_key_file", "apiv3_key_file",
                           "platform_public_key_file", "platform_public_key_id"}));
  CUSTOMSD_RETURN_IF_ERROR(s.RequireString("mchid", &m->mchid));
  CUSTOMSD_RETURN_IF_ERROR(s.RequireString("appid", &m->appid));
  CUSTOMSD_RETURN_IF_ERROR(s.RequireString("serial_no", &m->serial_no));
  CUSTOMSD_RETURN_IF_ERROR(s.RequireString("private_key_file", &m->private_key_file));
  CUSTOMSD_RETURN_IF_ERROR(s.RequireString("apiv3_key_file", &m->apiv3_key_file));
  CUSTOMSD_RETURN_IF_ERROR(s.ReadString("platform_public_key_file", &m->platform_public_key_file));
  return s.ReadString("platform_public_key_id", &m->platform_public_key_id);
}

Status ReadMerchants(const toml::table& root, const std::string& source, ConfigKeyLines* lines,
                     Config* config) {
  const toml::node* single = root.get("merchant");
  const toml::node* several = root.get("merchants");
  if (single != nullptr && several != nullptr) {
    return ConfigError(source, LineOf(*several), "merchants",
                       "cannot be combined with [merchant]; use one or the other");
  }
  if (single == nullptr && several == nullptr) {
    return ConfigError(source, 0, "merchant",
                       "required (a [merchant] table, or [[merchants]] tables for several)");
  }
  if (single != nullptr) {
    if (single->is_array()) {
      return ConfigError(source, LineOf(*single), "merchant",
                         "must be a single [merchant] table; use [[merchants]] for several");
    }
    if (!single->is_table()) {
      return ConfigError(source, LineOf(*single), "merchant",
                         "must be a table (got " + TypeName(*single) + ")");
    }
    MerchantConfig m;
    m.config_key = "merchant";
    CUSTOMSD_RETURN_IF_ERROR(
        ReadMerchant(Section(source, m.config_key, single->as_table(), lines), &m));
    config->merchants.push_back(std::move(m));
    return Status::Ok();
  }
  if (!several->is_array()) {
    return ConfigError(source, LineOf(*several), "merchants",
                       "must be an array of [[merchants]] tables (got " + TypeName(*several) +
                           "); use [merchant] for a single merchant");
  }
  const toml::array& array = *several->as_array();
  if (array.empty()) {
    return ConfigError(source, LineOf(*several), "merchants", "must list at least one merchant");
  }
  for (size_t i = 0; i < array.size(); ++i) {
    MerchantConfig m;
    m.config_key = "merchants[" + std::to_string(i) + "]";
    if (!array[i].is_table()) {
      return ConfigError(source, LineOf(array[i]), m.config_key,
                         "must be a table (got " + TypeName(array[i]) + ")");
    }
    CUSTOMSD_RETURN_IF_ERROR(
        ReadMerchant(Section(source, m.config_key, array[i].as_table(), lines), &m));
    config->merchants.push_back(std::move(m));
  }
  return Status::Ok();
}

// initial_interval, max_interval and multiplier of [poll] or [retry].
Status ReadBackoff(const Section& s, BackoffConfig* b) {
  CUSTOMSD_RETURN_IF_ERROR(s.ReadDuration("initial_interval", &b->initial_interval));
  CUSTOMSD_RETURN_IF_ERROR(s.ReadDuration("max_interval", &b->max_interval));
  return s.ReadNumber("multiplier", &b->multiplier);
}

// Reads every section but the merchants. Each entry: the table name and how to read it.
Status ReadAlerts(const Section& s, Config::Alerts* a) {
  CUSTOMSD_RETURN_IF_ERROR(s.ReadString("webhook_url", &a->webhook_url));
  CUSTOMSD_RETURN_IF_ERROR(s.ReadString("webhook_format", &a->webhook_format));
  CUSTOMSD_RETURN_IF_ERROR(s.ReadString("webhook_secret_file", &a->webhook_secret_file));
  CUSTOMSD_RETURN_IF_ERROR(s.ReadStrings("mention", &a->mention));
  CUSTOMSD_RETURN_IF_ERROR(s.ReadString("command", &a->command));
  CUSTOMSD_RETURN_IF_ERROR(s.ReadString("digest", &a->digest));
  CUSTOMSD_RETURN_IF_ERROR(s.ReadString("digest_at", &a->digest_at));
  CUSTOMSD_RETURN_IF_ERROR(s.ReadInt("flood_limit", &a->flood_limit));
  StatusOr<Section> email = s.Table("email");
  if (!email.ok()) return email.status();
  CUSTOMSD_RETURN_IF_ERROR(
      email->RefuseUnknownKeys({"smtp_url", "from", "to", "username", "password_file"}));
  CUSTOMSD_RETURN_IF_ERROR(email->ReadString("smtp_url", &a->email.smtp_url));
  CUSTOMSD_RETURN_IF_ERROR(email->ReadString("from", &a->email.from));
  CUSTOMSD_RETURN_IF_ERROR(email->ReadStrings("to", &a->email.to));
  CUSTOMSD_RETURN_IF_ERROR(email->ReadString("username", &a->email.username));
  return email->ReadString("password_file", &a->email.password_file);
}

Status ReadSections(const toml::table& root, const std::string& source, ConfigKeyLines* lines,
                    Config* c) {
  struct Reader {
    std::string_view name;
    std::vector<std::string_view> keys;
    std::function<Status(const Section&)> read;
  };
  const Reader readers[] = {
      {"wechatpay",
       {"base_url", "path_prefix", "ca_file", "timeout", "max_in_flight", "requests_per_second"},
       [c](const Section& s) {
         Config::Wechatpay& w = c->wechatpay;
         CUSTOMSD_RETURN_IF_ERROR(s.ReadString("base_url", &w.base_url));
         CUSTOMSD_RETURN_IF_ERROR(s.ReadString("path_prefix", &w.path_prefix));
         CUSTOMSD_RETURN_IF_ERROR(s.ReadString("ca_file", &w.ca_file));
         CUSTOMSD_RETURN_IF_ERROR(s.ReadDuration("timeout", &w.timeout));
         CUSTOMSD_RETURN_IF_ERROR(s.ReadInt("max_in_flight", &w.max_in_flight));
         return s.ReadNumber("requests_per_second", &w.requests_per_second);
       }},
      {"database",
       {"path"},
       [c](const Section& s) { return s.ReadString("path", &c->database.path); }},
      {"poll",
       {"first_delay", "initial_interval", "max_interval", "multiplier", "deadline"},
       [c](const Section& s) {
         CUSTOMSD_RETURN_IF_ERROR(s.ReadDuration("first_delay", &c->poll.first_delay));
         CUSTOMSD_RETURN_IF_ERROR(ReadBackoff(s, &c->poll.backoff));
         return s.ReadDuration("deadline", &c->poll.deadline);
       }},
      {"retry",
       {"initial_interval", "max_interval", "multiplier", "max_attempts"},
       [c](const Section& s) {
         CUSTOMSD_RETURN_IF_ERROR(ReadBackoff(s, &c->retry.backoff));
         return s.ReadInt("max_attempts", &c->retry.max_attempts);
       }},
      {"redeclare",
       {"on_except", "max_attempts", "interval"},
       [c](const Section& s) {
         CUSTOMSD_RETURN_IF_ERROR(s.ReadBool("on_except", &c->redeclare.on_except));
         CUSTOMSD_RETURN_IF_ERROR(s.ReadInt("max_attempts", &c->redeclare.max_attempts));
         return s.ReadDuration("interval", &c->redeclare.interval);
       }},
      {"alerts",
       {"webhook_url", "webhook_format", "webhook_secret_file", "mention", "command", "digest",
        "digest_at", "flood_limit", "email"},
       [c](const Section& s) { return ReadAlerts(s, &c->alerts); }},
      {"metrics",
       {"listen"},
       [c](const Section& s) { return s.ReadString("listen", &c->metrics.listen); }},
      {"api",
       {"listen", "token_file", "allow_remote", "tls_cert_file", "tls_key_file", "max_body_mb",
        "console"},
       [c](const Section& s) {
         c->api.listen = "127.0.0.1:9470";  // the table alone turns the API on
         CUSTOMSD_RETURN_IF_ERROR(s.ReadString("listen", &c->api.listen));
         CUSTOMSD_RETURN_IF_ERROR(s.ReadString("token_file", &c->api.token_file));
         CUSTOMSD_RETURN_IF_ERROR(s.ReadBool("allow_remote", &c->api.allow_remote));
         CUSTOMSD_RETURN_IF_ERROR(s.ReadString("tls_cert_file", &c->api.tls_cert_file));
         CUSTOMSD_RETURN_IF_ERROR(s.ReadString("tls_key_file", &c->api.tls_key_file));
         CUSTOMSD_RETURN_IF_ERROR(s.ReadBool("console", &c->api.console));
         return s.ReadInt("max_body_mb", &c->api.max_body_mb);
       }},
      {"log", {"level"}, [c](const Section& s) { return s.ReadString("level", &c->log.level); }},
      {"declare",
       {"max_file_mb"},
       [c](const Section& s) { return s.ReadInt("max_file_mb", &c->declare.max_file_mb); }},
  };
  for (const Reader& reader : readers) {
    const toml::node* node = root.get(reader.name);
    if (node == nullptr) {
      continue;  // all defaults
    }
    if (!node->is_table()) {
      return ConfigError(source, LineOf(*node), reader.name,
                         "must be a table (got " + TypeName(*node) + ")");
    }
    const Section section(source, std::string(reader.name), node->as_table(), lines);
    CUSTOMSD_RETURN_IF_ERROR(section.RefuseUnknownKeys(reader.keys));
    CUSTOMSD_RETURN_IF_ERROR(reader.read(section));
  }
  return Status::Ok();
}

Status ReadNotify(const toml::table& root, const std::string& source, ConfigKeyLines* lines,
                  Config* config) {
  const toml::node* node = root.get("notify");
  if (node == nullptr) return Status::Ok();
  if (!node->is_array()) {
    return ConfigError(source, LineOf(*node), "notify",
                       "must be [[notify]] tables (got " + TypeName(*node) + ")");
  }
  const toml::array& array = *node->as_array();
  for (size_t i = 0; i < array.size(); ++i) {
    Config::Notify n;
    n.config_key = "notify[" + std::to_string(i) + "]";
    if (!array[i].is_table()) {
      return ConfigError(source, LineOf(array[i]), n.config_key,
                         "must be a table (got " + TypeName(array[i]) + ")");
    }
    const Section s(source, n.config_key, array[i].as_table(), lines);
    CUSTOMSD_RETURN_IF_ERROR(s.RefuseUnknownKeys({"url", "secret_file", "events"}));
    CUSTOMSD_RETURN_IF_ERROR(s.ReadString("url", &n.url));
    CUSTOMSD_RETURN_IF_ERROR(s.ReadString("secret_file", &n.secret_file));
    CUSTOMSD_RETURN_IF_ERROR(s.ReadStrings("events", &n.events));
    config->notify.push_back(std::move(n));
  }
  return Status::Ok();
}

#undef CUSTOMSD_RETURN_IF_ERROR

void ResolvePaths(const ConfigContext& ctx, Config* config) {
  const std::string& key_dir =
      ctx.credentials_dir && !ctx.credentials_dir->empty() ? *ctx.credentials_dir : ctx.config_dir;
  for (MerchantConfig& m : config->merchants) {
    m.private_key_file = ResolveConfigPath(m.private_key_file, key_dir);
    m.apiv3_key_file = ResolveConfigPath(m.apiv3_key_file, key_dir);
    m.platform_public_key_file = ResolveConfigPath(m.platform_public_key_file, key_dir);
  }
  config->alerts.webhook_secret_file =
      ResolveConfigPath(config->alerts.webhook_secret_file, key_dir);
  config->alerts.email.password_file =
      ResolveConfigPath(config->alerts.email.password_file, key_dir);
  config->api.token_file = ResolveConfigPath(config->api.token_file, key_dir);
  for (Config::Notify& n : config->notify)
    n.secret_file = ResolveConfigPath(n.secret_file, key_dir);
  config->api.tls_key_file = ResolveConfigPath(config->api.tls_key_file, key_dir);
  config->api.tls_cert_file = ResolveConfigPath(config->api.tls_cert_file, ctx.config_dir);
  config->wechatpay.ca_file = ResolveConfigPath(config->wechatpay.ca_file, ctx.config_dir);
  config->database.path = ResolveConfigPath(config->database.path, ctx.config_dir);
}

}  // namespace

StatusOr<Config> ParseConfig(std::string_view toml_text, const ConfigContext& ctx) {
  const std::string& source = ctx.source_name;
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(source));
  } catch (const toml::parse_error& e) {
    std::string message = source;
    if (e.source().begin.line > 0) {
      message += ":" + std::to_string(e.source().begin.line);
    }
    message += ": invalid TOML: ";
    // One line even if toml++ ever returns a multi-line description.
    for (char c : e.description()) {
      message += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return Status::InvalidInput(std::move(message));
  }
  Config config;
  config.source_path = source;
  ConfigKeyLines lines;
  Status status =
      Section(source, "", &root, &lines)
          .RefuseUnknownKeys({"merchant", "merchants", "wechatpay", "database", "poll", "retry",
                              "redeclare", "alerts", "metrics", "api", "notify", "log", "declare"});
  if (status.ok()) {
    status = ReadMerchants(root, source, &lines, &config);
  }
  if (status.ok()) {
    status = ReadSections(root, source, &lines, &config);
  }
  if (status.ok()) {
    status = ReadNotify(root, source, &lines, &config);
  }
  if (status.ok()) {
    status = ValidateConfig(config, lines, source);
  }
  if (!status.ok()) {
    return status;
  }
  ResolvePaths(ctx, &config);
  return config;
}

}  // namespace customsd
