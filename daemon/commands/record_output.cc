#include "daemon/commands/record_output.h"

#include <algorithm>

#include "common/time_format.h"

namespace customsd {
namespace {

nlohmann::json TextOrNull(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

std::string Fen(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; }

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

const std::vector<std::string>& RecordColumns() {
  static const std::vector<std::string> kColumns = {
      "id", "appid", "mchid", "out_trade_no", "transaction_id", "customs",
      "merchant_customs_no", "duty", "sub_order_no", "fee_type", "order_fee", "transport_fee",
      "product_fee", "state", "phase", "sub_order_id", "verify_department",
      "verify_department_trade_id", "explanation", "modify_time", "attempts", "next_attempt_at",
      "last_error_code", "last_error_message", "last_http_status", "created_at", "updated_at",
      "version"};
  return kColumns;
}

void PrintRecords(std::ostream& out, const OutputOptions& o,
                  const std::vector<DeclarationRecord>& records) {
  if (o.table()) {
    PrintRecordTable(out, records, o);
    return;
  }
  std::vector<nlohmann::json> items;
  items.reserve(records.size());
  for (const DeclarationRecord& r : records) items.push_back(RecordToJson(r));
  PrintItems(out, o.format, items, RecordColumns());
}

void PrintRecordTable(std::ostream& out, const std::vector<DeclarationRecord>& records,
                      const OutputOptions& o) {
  std::vector<std::vector<std::string>> rows{{"ID", "MCHID", "OUT_TRADE_NO", "SUB_ORDER_NO",
                                              "CUSTOMS", "STATE", "PHASE", "ATTEMPTS",
                                              "UPDATED", "NOTE"}};
  for (const DeclarationRecord& r : records) {
    std::string note = !r.last_error_code.empty() ? r.last_error_code : r.explanation;
    rows.push_back({std::to_string(r.id), r.fields.mchid, r.fields.out_trade_no,
                    OrDash(r.fields.sub_order_no), r.fields.customs,
                    std::string(ToString(r.state)), std::string(ToString(r.phase)),
                    std::to_string(r.attempts), o.Time(r.updated_at), note});
  }
  PrintTable(out, rows);
}

void PrintRecordDetail(std::ostream& out, const DeclarationRecord& r,
                       const std::vector<Event>& events, const OutputOptions& o) {
  const DeclarationFields& f = r.fields;
  std::vector<std::vector<std::string>> rows{
      {"id", std::to_string(r.id)},
      {"key", KeyOf(f).ToString()},
      {"state", std::string(ToString(r.state))},
      {"phase", std::string(ToString(r.phase))},
      {"appid", f.appid},
      {"transaction_id", f.transaction_id},
      {"merchant_customs_no", f.merchant_customs_no},
      {"duty", Fen(f.duty)},
      {"fees (order/transport/product)", f.fee_type.value_or("-") + " " + Fen(f.order_fee) +
                                             " / " + Fen(f.transport_fee) + " / " +
                                             Fen(f.product_fee)},
      {"sub_order_id", OrDash(r.sub_order_id)},
      {"verify_department", OrDash(r.verify_department) + " " +
                                OrDash(r.verify_department_trade_id)},
      {"explanation", OrDash(r.explanation)},
      {"modify_time", OrDash(r.modify_time)},
      {"attempts", std::to_string(r.attempts)},
      {"next_attempt_at", o.Time(r.next_attempt_at)},
      {"last_error", r.last_error_code.empty()
                         ? "-"
                         : r.last_error_code + ": " + r.last_error_message +
                               (r.last_http_status
                                    ? " (HTTP " + std::to_string(*r.last_http_status) + ")"
                                    : "")},
      {"created_at", o.Time(r.created_at)},
      {"updated_at", o.Time(r.updated_at)},
  };
  PrintTable(out, rows);
  out << "\nevents:\n";
  std::vector<std::vector<std::string>> ev{{"AT", "KIND", "STATE", "PHASE", "HTTP", "CODE",
                                            "REQUEST_ID", "MESSAGE"}};
  for (const Event& e : events) {
    auto arrow = [](const auto& from, const auto& to) {
      std::string a = from ? std::string(ToString(*from)) : "";
      std::string b = to ? std::string(ToString(*to)) : "";
      return a == b ? OrDash(b) : (a.empty() ? b : a + "->" + b);
    };
    ev.push_back({o.Time(e.at), e.kind, arrow(e.from_state, e.to_state),
                  arrow(e.from_phase, e.to_phase),
                  e.http_status ? std::to_string(*e.http_status) : "-", OrDash(e.error_code),
                  OrDash(e.request_id), e.message});
  }
  PrintTable(out, ev);
}

}  // namespace customsd
