#include "daemon/workflow/accepted_content.h"

#include <nlohmann/json.hpp>
#include <optional>

namespace customsd {
namespace {

using nlohmann::json;

json Of(const std::string& s) { return json(s); }
json Of(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
json Of(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::vector<std::string> FieldsChangedSinceAccepted(const DeclarationRecord& r) {
  if (r.accepted_content.empty()) return {};
  const DeclarationFields& f = r.fields;
  const std::vector<std::pair<const char*, json>> now = {
      {"appid", Of(f.appid)},
      {"mchid", Of(f.mchid)},
      {"out_trade_no", Of(f.out_trade_no)},
      {"transaction_id", Of(f.transaction_id)},
      {"customs", Of(f.customs)},
      {"merchant_customs_no", Of(f.merchant_customs_no)},
      {"duty", Of(f.duty)},
      {"sub_order_no", Of(f.sub_order_no)},
      {"fee_type", Of(f.fee_type)},
      {"order_fee", Of(f.order_fee)},
      {"transport_fee", Of(f.transport_fee)},
      {"product_fee", Of(f.product_fee)},
  };
  const json accepted = json::parse(r.accepted_content, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> changed;
  for (const auto& [name, value] : now) {
    if (!accepted.is_object() || !accepted.contains(name) || accepted.at(name) != value) {
      changed.emplace_back(name);
    }
  }
  return changed;
}

}  // namespace customsd
