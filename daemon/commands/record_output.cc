#include "daemon/commands/record_output.h"

#include <algorithm>

#include "common/time_format.h"

namespace customsd {
namespace {

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

std::string Fen(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; }

}  // namespace

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
                                              "CUSTOMS", "STATE", "PHASE", "ATTEMPTS", "UPDATED",
                                              "NOTE"}};
  for (const DeclarationRecord& r : records) {
    std::string note = !r.last_error_code.empty() ? r.last_error_code : r.explanation;
    rows.push_back({std::to_string(r.id), r.fields.mchid, r.fields.out_trade_no,
                    OrDash(r.fields.sub_order_no), r.fields.customs, std::string(ToString(r.state)),
                    std::string(ToString(r.phase)), std::to_string(r.attempts),
                    o.Time(r.updated_at), note});
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
      {"fees (order/transport/product)", f.fee_type.value_or("-") + " " + Fen(f.order_fee) + " / " +
                                             Fen(f.transport_fee) + " / " + Fen(f.product_fee)},
      {"sub_order_id", OrDash(r.sub_order_id)},
      {"verify_department",
       OrDash(r.verify_department) + " " + OrDash(r.verify_department_trade_id)},
      {"explanation", OrDash(r.explanation)},
      {"modify_time", OrDash(r.modify_time)},
      {"attempts", std::to_string(r.attempts)},
      {"next_attempt_at", o.Time(r.next_attempt_at)},
      {"last_error",
       r.last_error_code.empty()
           ? "-"
           : r.last_error_code + ": " + r.last_error_message +
                 (r.last_http_status ? " (HTTP " + std::to_string(*r.last_http_status) + ")" : "")},
      {"created_at", o.Time(r.created_at)},
      {"updated_at", o.Time(r.updated_at)},
  };
  PrintTable(out, rows);
  out << "\nevents:\n";
  std::vector<std::vector<std::string>> ev{
      {"AT", "KIND", "STATE", "PHASE", "HTTP", "CODE", "REQUEST_ID", "MESSAGE"}};
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
