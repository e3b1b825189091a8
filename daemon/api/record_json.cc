#include "daemon/api/record_json.h"

#include "common/time_format.h"

namespace customsd {
namespace {

nlohmann::json TextOrNull(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

}  // namespace

nlohmann::json RecordToJson(const DeclarationRecord& r) {
  const DeclarationFields& f = r.fields;
  nlohmann::json j = nlohmann::json::object();
  j["id"] = r.id;
  PutDeclarationFields(j, f);
  j["state"] = ToString(r.state);
  j["phase"] = ToString(r.phase);
  j["sub_order_id"] = TextOrNull(r.sub_order_id);
  j["verify_department"] = TextOrNull(r.verify_department);
  j["verify_department_trade_id"] = TextOrNull(r.verify_department_trade_id);
  j["explanation"] = TextOrNull(r.explanation);
  j["modify_time"] = TextOrNull(r.modify_time);
  j["attempts"] = r.attempts;
  j["next_attempt_at"] = FormatRfc3339(r.next_attempt_at);
  j["last_error_code"] = TextOrNull(r.last_error_code);
  j["last_error_message"] = TextOrNull(r.last_error_message);
  j["last_http_status"] =
      r.last_http_status ? nlohmann::json(*r.last_http_status) : nlohmann::json(nullptr);
  j["created_at"] = FormatRfc3339(r.created_at);
  j["updated_at"] = FormatRfc3339(r.updated_at);
  j["version"] = r.version;
  return j;
}

nlohmann::json EventToJson(const Event& e) {
  auto name = [](const auto& v) {
    return v ? nlohmann::json(std::string(ToString(*v))) : nlohmann::json(nullptr);
  };
  nlohmann::json j = nlohmann::json::object();
  j["id"] = e.id;
  j["at"] = FormatRfc3339(e.at);
  j["kind"] = e.kind;
  j["from_state"] = name(e.from_state);
  j["to_state"] = name(e.to_state);
  j["from_phase"] = name(e.from_phase);
  j["to_phase"] = name(e.to_phase);
  j["http_status"] = e.http_status ? nlohmann::json(*e.http_status) : nlohmann::json(nullptr);
  j["error_code"] = TextOrNull(e.error_code);
  j["message"] = TextOrNull(e.message);
  j["request_id"] = TextOrNull(e.request_id);
  return j;
}

nlohmann::json AlertToJson(const AlertRecord& a) {
  auto time = [](const std::optional<int64_t>& t) -> nlohmann::json {
    return t ? nlohmann::json(FormatRfc3339(*t)) : nlohmann::json();
  };
  nlohmann::json details = nlohmann::json::parse(a.details, nullptr, /*allow_exceptions=*/false);
  if (details.is_discarded()) details = TextOrNull(a.details);
  return {{"id", a.id},
          {"cause", a.cause},
          {"mchid", TextOrNull(a.mchid)},
          {"declaration_id", a.declaration_id ? nlohmann::json(*a.declaration_id) : nullptr},
          {"summary", a.summary},
          {"created_at", FormatRfc3339(a.created_at)},
          {"delivered_at", time(a.delivered_at)},
          {"attempts", a.attempts},
          {"last_error", TextOrNull(a.last_error)},
          {"in_digest", a.in_digest},
          {"acknowledged_at", time(a.acknowledged_at)},
          {"acknowledged_by", TextOrNull(a.acknowledged_by)},
          {"details", details}};
}

nlohmann::json NotificationToJson(const DeclarationNotification& n) {
  return {{"event_id", n.notification.event_id},
          {"type", n.notification.type},
          {"at", FormatRfc3339(n.notification.at)},
          {"delivered_to", n.delivered_to},
          {"pending_for", n.pending_for}};
}

const std::vector<std::string>& RecordColumns() {
  static const std::vector<std::string> kColumns = [] {
    std::vector<std::string> c = {"id"};
    for (const FieldSpec& spec : kDeclarationFields) c.emplace_back(spec.name);
    for (const char* name :
         {"state", "phase", "sub_order_id", "verify_department", "verify_department_trade_id",
          "explanation", "modify_time", "attempts", "next_attempt_at", "last_error_code",
          "last_error_message", "last_http_status", "created_at", "updated_at", "version"}) {
      c.emplace_back(name);
    }
    return c;
  }();
  return kColumns;
}

}  // namespace customsd
