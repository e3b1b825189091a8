#include "tests/mock/mock_stats.h"

#include <nlohmann/json.hpp>

namespace customsd::mock {

std::string_view ToString(Endpoint e) {
  switch (e) {
    case Endpoint::kDeclare:
      return "declare";
    case Endpoint::kQuery:
      return "query";
    case Endpoint::kModify:
      return "modify";
    case Endpoint::kRedeclare:
      return "redeclare";
    case Endpoint::kVerifyCertificate:
      return "verify_certificate";
    case Endpoint::kCertificates:
      return "certificates";
    case Endpoint::kUnknown:
      break;
  }
  return "unknown";
}

const OrderCounters& MockStats::Counters(const std::string& key) const {
  static const OrderCounters kZero;
  auto it = orders.find(key);
  return it == orders.end() ? kZero : it->second.counters;
}

const EndpointStats& MockStats::Of(Endpoint e) const {
  static const EndpointStats kZero;
  auto it = endpoints.find(std::string(ToString(e)));
  return it == endpoints.end() ? kZero : it->second;
}

int64_t MockStats::TotalFaults(FaultKind kind) const {
  int64_t n = 0;
  for (const auto& [name, e] : endpoints) n += e.Faults(kind);
  return n;
}

std::string MockStats::ToJson() const {
  nlohmann::ordered_json j;
  j["orders"] = nlohmann::ordered_json::object();
  for (const auto& [key, snap] : orders) {
    const OrderCounters& c = snap.counters;
    nlohmann::ordered_json o = {{"declares_received", c.declares_received},
                                {"declares_accepted", c.declares_accepted},
                                {"declares_after_acceptance", c.declares_after_acceptance},
                                {"conflicts", c.conflicts},
                                {"queries", c.queries},
                                {"modifies", c.modifies},
                                {"redeclares", c.redeclares},
                                {"redeclares_refused", c.redeclares_refused}};
    if (snap.record) {
      o["state"] = ToString(snap.record->state);
      o["explanation"] = snap.record->explanation;
      o["modify_time"] = FormatWechatTime(snap.record->modify_time);
    }
    j["orders"][key] = std::move(o);
  }
  j["endpoints"] = nlohmann::ordered_json::object();
  for (const auto& [name, e] : endpoints) {
    nlohmann::ordered_json statuses = nlohmann::ordered_json::object();
    for (const auto& [status, n] : e.statuses) statuses[std::to_string(status)] = n;
    nlohmann::ordered_json faults = nlohmann::ordered_json::object();
    for (const auto& [kind, n] : e.faults) faults[kind] = n;
    j["endpoints"][name] = {{"calls", e.calls},
                            {"sign_errors", e.sign_errors},
                            {"statuses", std::move(statuses)},
                            {"faults", std::move(faults)}};
  }
  j["connections"] = connections;
  return j.dump();
}

}  // namespace customsd::mock
