// WeChat Pay's checks of request parameters, done independently of the daemon's own rules
// (daemon/intake/field_checks.*) so that a client bug shows up against the mock.
//
// Every failure is 400 PARAM_ERROR with detail {field, value, issue, location}: the first
// problem in the order of WeChat's parameter tables. Strict where WeChat's schema is:
// unknown fields, wrong JSON types, empty strings ("string[1,32]") and non-integer or negative
// fees are all refused.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/declaration.h"
#include "tests/mock/mock_api_error.h"

namespace customsd::mock {

// POST {prefix}/customs/orders. Besides the field checks: a split order (sub_order_no present)
// needs fee_type (only "CNY"), order_fee, transport_fee and product_fee, with
// order_fee = transport_fee + product_fee ("Missing parameters in split declaration").
ApiResult<DeclarationFields> ValidateDeclare(std::string_view body);

// The split-order amount rule, order_fee = transport_fee + product_fee: 400 PARAM_ERROR
// "Merchant's split declaration amount is incorrect" (detail.field order_fee) when broken.
// Also used on the fees a modification leaves in place.
std::optional<ApiError> CheckSplitFees(int64_t order_fee, int64_t transport_fee,
                                       int64_t product_fee);

// PATCH {prefix}/customs/orders: only merchant_customs_no, duty and the three fees change.
struct ModifyRequest {
  std::string appid;
  std::string mchid;
  std::string out_trade_no;
  std::string transaction_id;
  std::string customs;
  std::string merchant_customs_no;
  std::string sub_order_no;  // "" when not split
  std::optional<int64_t> duty;
  std::optional<int64_t> order_fee;
  std::optional<int64_t> transport_fee;
  std::optional<int64_t> product_fee;
};
ApiResult<ModifyRequest> ValidateModify(std::string_view body);

// POST {prefix}/customs/redeclare: one of out_trade_no / transaction_id; for a split order one
// of sub_order_no / sub_order_id (which one is needed is known only once the order is found).
struct RedeclareRequest {
  std::string appid;
  std::string mchid;
  std::string out_trade_no;
  std::string transaction_id;
  std::string sub_order_no;
  std::string sub_order_id;
  std::string customs;
  std::string merchant_customs_no;
};
ApiResult<RedeclareRequest> ValidateRedeclare(std::string_view body);

// GET {prefix}/customs/orders?appid=&mchid=&order_type=&order_no=&customs=&offset=&limit=
// Parameters as httplib decodes them (a multimap, so repeats are seen). location "query".
struct QueryRequest {
  std::string appid;
  std::string mchid;
  std::string order_type;  // out_trade_no | transaction_id | sub_order_no | sub_order_id
  std::string order_no;
  std::string customs;
  int64_t offset = 0;
  int64_t limit = 20;
};
ApiResult<QueryRequest> ValidateQuery(const std::multimap<std::string, std::string>& params);

// POST {prefix}/customs/verify-certificate. certificate_id / certificate_name are still
// encrypted here (base64 of RSAES-PKCS1-v1_5); the handler decrypts them.
struct VerifyCertificateRequest {
  std::string appid;
  std::string mchid;
  std::string out_trade_no;
  std::string transaction_id;
  std::string customs;
  std::string merchant_customs_no;
  std::string sub_order_no;
  std::string certificate_type;  // only IDCARD
  std::string certificate_id;
  std::string certificate_name;
};
ApiResult<VerifyCertificateRequest> ValidateVerifyCertificate(std::string_view body);

}  // namespace customsd::mock
