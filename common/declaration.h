// The declaration as the merchant hands it to customsd: exactly the body of WeChat Pay's
// declare request (POST /v3/global/customs/orders), plus the key that identifies it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

}  // namespace customsd
