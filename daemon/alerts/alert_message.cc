#include "daemon/alerts/alert_message.h"

#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "daemon/process/logging.h"

namespace customsd {
namespace {

using nlohmann::json;

// The start of a receiver's answer is enough to say why it refused; the rest would only bloat
// last_error and the log.
constexpr size_t kAnswerSnippet = 200;

std::string Dump(const json& j) {
  // replace: a stray invalid byte in a summary must not make the alert undeliverable.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json DetailsObject(const std::string& details) {
  if (details.empty()) return json::object();
  json parsed = json::parse(details, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) return parsed;
  return json{{"text", details}};
}

std::string Snippet(std::string_view body) {
  return EscapeControlCharacters(Utf8Prefix(body, kAnswerSnippet));
}

}  // namespace

std::optional<WebhookFormat> ParseWebhookFormat(std::string_view name) {
  if (name == "generic") return WebhookFormat::kGeneric;
  if (name == "wecom") return WebhookFormat::kWecom;
  if (name == "dingtalk") return WebhookFormat::kDingtalk;
  if (name == "feishu" || name == "lark") return WebhookFormat::kFeishu;
  if (name == "slack") return WebhookFormat::kSlack;
  return std::nullopt;
}

static json GenericAlertJson(const PendingAlert& alert) {
  return json{{"id", alert.id},
              {"cause", alert.cause},
              {"summary", alert.summary},
              {"details", DetailsObject(alert.details)},
              {"mchid", alert.mchid.empty() ? json(nullptr) : json(alert.mchid)},
              {"declaration_id", alert.declaration_id ? json(*alert.declaration_id) : json(nullptr)},
              {"created_at", FormatRfc3339(alert.created_at)}};
}

std::string GenericAlertBody(const PendingAlert& alert) { return Dump(GenericAlertJson(alert)); }

std::string GenericDigestBody(const std::vector<PendingAlert>& alerts) {
  json list = json::array();
  for (const PendingAlert& a : alerts) list.push_back(GenericAlertJson(a));
  return Dump(json{{"digest", true}, {"count", alerts.size()}, {"alerts", list}});
}

Status CheckWebhookAnswer(const HttpResponse& response, WebhookFormat format) {
  if (response.status < 200 || response.status > 299) {
    std::string why = "HTTP " + std::to_string(response.status);
    if (!response.body.empty()) why += ": " + Snippet(response.body);
    return Status::Unavailable(why);
  }
  if (format == WebhookFormat::kGeneric || format == WebhookFormat::kSlack) return Status::Ok();
  // A body that is not such an object is taken as accepted, since the 2xx is then the only
  // signal there is.
  json answer = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) return Status::Ok();
  for (const auto& [code, text] : {std::pair{"errcode", "errmsg"}, std::pair{"code", "msg"},
                                   std::pair{"StatusCode", "StatusMessage"}}) {
    if (!answer.contains(code) || !answer[code].is_number()) continue;
    if (answer[code] == 0) return Status::Ok();
    std::string why = std::string(code) + " " + Dump(answer[code]);
    if (answer.contains(text) && answer[text].is_string()) {
      why += ": " + Snippet(answer[text].get<std::string>());
    }
    return Status::Unavailable(why);
  }
  return Status::Ok();
}

std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace customsd
