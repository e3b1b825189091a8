// The declaration as the merchant hands it to customsd: exactly the body of WeChat Pay's
// declare request (POST /v3/global/customs/orders), plus the key that identifies it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace customsd {

struct DeclarationFields {
  std::string appid;
  std::string mchid;
  std::string out_trade_no;
  std::string transaction_id;
  std::string customs;
  std::string merchant_customs_no;
  std::optional<int64_t> duty;
  std::string sub_order_no;  // "" when the order is not split
  std::optional<std::string> fee_type;
  std::optional<int64_t> order_fee;
  std::optional<int64_t> transport_fee;
  std::optional<int64_t> product_fee;

  bool operator==(const DeclarationFields&) const = default;
};

// A declaration's identity: (mchid, out_trade_no, sub_order_no or "", customs).
struct DeclarationKey {
  std::string mchid;
  std::string out_trade_no;
  std::string sub_order_no;
  std::string customs;

  bool operator==(const DeclarationKey&) const = default;
  auto operator<=>(const DeclarationKey&) const = default;

  // "1230000109/20150806125346/SUB1/SHANGHAI_ZS" (sub-order part "-" when absent): the form
  // used in logs and messages.
  std::string ToString() const {
    return mchid + "/" + out_trade_no + "/" + (sub_order_no.empty() ? "-" : sub_order_no) + "/" +
           customs;
  }
};

inline DeclarationKey KeyOf(const DeclarationFields& f) {
  return {f.mchid, f.out_trade_no, f.sub_order_no, f.customs};
}

// One API field of the declare body and the member of DeclarationFields that holds it (exactly
// one of the three member pointers is set). The one list of the fields: the request body, the
// JSON of `show --json`, the declarations files' keys and CSV columns, and declare's flags
// (--merchant-customs-no) all go through it.
struct FieldSpec {
  std::string_view name;
  std::string DeclarationFields::*text = nullptr;
  std::optional<std::string> DeclarationFields::*optional_text = nullptr;
  std::optional<int64_t> DeclarationFields::*fen = nullptr;
  bool modifiable = false;  // sent again by the modify call (PATCH); the rest identify the order
};

// Every field, in API order (the order problems are reported in).
inline constexpr std::array<FieldSpec, 12> kDeclarationFields = {{
    {.name = "appid", .text = &DeclarationFields::appid},
    {.name = "mchid", .text = &DeclarationFields::mchid},
    {.name = "out_trade_no", .text = &DeclarationFields::out_trade_no},
    {.name = "transaction_id", .text = &DeclarationFields::transaction_id},
    {.name = "customs", .text = &DeclarationFields::customs},
    {.name = "merchant_customs_no",
     .text = &DeclarationFields::merchant_customs_no,
     .modifiable = true},
    {.name = "duty", .fen = &DeclarationFields::duty, .modifiable = true},
    {.name = "sub_order_no", .text = &DeclarationFields::sub_order_no},
    {.name = "fee_type", .optional_text = &DeclarationFields::fee_type},
    {.name = "order_fee", .fen = &DeclarationFields::order_fee, .modifiable = true},
    {.name = "transport_fee", .fen = &DeclarationFields::transport_fee, .modifiable = true},
    {.name = "product_fee", .fen = &DeclarationFields::product_fee, .modifiable = true},
}};

// Index of `name` in kDeclarationFields; kDeclarationFields.size() when it is not a field.
constexpr size_t DeclarationFieldIndex(std::string_view name) {
  for (size_t i = 0; i < kDeclarationFields.size(); ++i) {
    if (kDeclarationFields[i].name == name) return i;
  }
  return kDeclarationFields.size();
}

// Puts every field of `f` that is set into the JSON object `j`, in the table's order, as the
// API spells it: text always (but an empty sub_order_no, the mark of a plain order), fee_type
// and the fees only when present.
template <typename Json>
void PutDeclarationFields(Json& j, const DeclarationFields& f) {
  for (const FieldSpec& spec : kDeclarationFields) {
    if (spec.text != nullptr) {
      const std::string& v = f.*spec.text;
      if (!v.empty() || spec.text != &DeclarationFields::sub_order_no)
        j[std::string(spec.name)] = v;
    } else if (spec.optional_text != nullptr) {
      if (const auto& v = f.*spec.optional_text) j[std::string(spec.name)] = *v;
    } else if (const auto& v = f.*spec.fen) {
      j[std::string(spec.name)] = *v;
    }
  }
}

}  // namespace customsd
