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

std::string SlackEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ChatText(const PendingAlert& alert) {
  return std::string(Utf8Prefix(AlertText(alert), kChatTextLimit));
}

std::string Snippet(std::string_view body) {
  return EscapeControlCharacters(Utf8Prefix(body, kAnswerSnippet));
}

}  // namespace

std::optional<WebhookFormat> ParseWebhookFormat(std::string_view name) {
  if (name == "generic") return WebhookFormat::kGeneric;
  if (name == "wecom") return WebhookFormat::kWecom;
  if (name == "dingtalk") return WebhookFormat::kDingtalk;
  if (name == "slack") return WebhookFormat::kSlack;
  return std::nullopt;
}

std::string AlertText(const PendingAlert& alert) {
  return "customsd alert " + std::to_string(alert.id) + " (" + alert.cause + "): " + alert.summary;
}

std::string WebhookBody(const PendingAlert& alert, WebhookFormat format) {
  switch (format) {
    case WebhookFormat::kWecom:
    case WebhookFormat::kDingtalk:
      return Dump(json{{"msgtype", "text"}, {"text", {{"content", ChatText(alert)}}}});
    case WebhookFormat::kSlack:
      // Cut, then escape, so an entity is never split; the few bytes escaping adds are far
      // below Slack's own limit.
      return Dump(json{{"text", SlackEscape(ChatText(alert))}});
    case WebhookFormat::kGeneric:
      break;
  }
  json j{{"id", alert.id},
         {"cause", alert.cause},
         {"summary", alert.summary},
         {"details", DetailsObject(alert.details)},
         {"mchid", alert.mchid.empty() ? json(nullptr) : json(alert.mchid)},
         {"declaration_id", alert.declaration_id ? json(*alert.declaration_id) : json(nullptr)},
         {"created_at", FormatRfc3339(alert.created_at)}};
  return Dump(j);
}

Status CheckWebhookAnswer(const HttpResponse& response, WebhookFormat format) {
  if (response.status < 200 || response.status > 299) {
    std::string why = "HTTP " + std::to_string(response.status);
    if (!response.body.empty()) why += ": " + Snippet(response.body);
    return Status::Unavailable(why);
  }
  if (format != WebhookFormat::kWecom && format != WebhookFormat::kDingtalk) return Status::Ok();
  // Robots answer {"errcode":0,"errmsg":"ok"}; a body that is not such an object is taken as
  // accepted, since the 2xx is then the only signal there is.
  json answer = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object() || !answer.contains("errcode") || !answer["errcode"].is_number()) {
    return Status::Ok();
  }
  if (answer["errcode"] == 0) return Status::Ok();
  std::string why = "errcode " + Dump(answer["errcode"]);
  if (answer.contains("errmsg") && answer["errmsg"].is_string()) {
    why += ": " + Snippet(answer["errmsg"].get<std::string>());
  }
  return Status::Unavailable(why);
}

std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace customsd
