// Requests and answers of the customs endpoints, as plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wechatpay/api_outcome.h"

namespace customsd {

// What WeChat says of a declaration after a declare, modify or re-push.
struct DeclarationStatus {
  std::string state;  // "UNDECLARED", "PROCESSING", ...
  std::string out_trade_no;
  std::string transaction_id;
  std::string sub_order_no;
  std::string sub_order_id;
  std::string verify_department;
  std::string verify_department_trade_id;
  std::string explanation;
  std::string modify_time;
};

struct QueryParams {
  std::string appid;
  std::string mchid;
  std::string order_type = "out_trade_no";  // or transaction_id, sub_order_no, sub_order_id
  std::string order_no;
  std::string customs;
  int page_size = 20;
};

// One item of a query's data[].
struct QueryRecord {
  std::string sub_order_no;
  std::string sub_order_id;
  std::string mch_customs_no;
  std::string customs;
  std::string fee_type;
  std::optional<int64_t> order_fee;
  std::optional<int64_t> duty;
  std::optional<int64_t> transport_fee;
  std::optional<int64_t> product_fee;
  std::string state;
  std::string explanation;
  std::string modify_time;
};

struct QueryResult {
  std::string transaction_id;
  std::string verify_department;
  std::string verify_department_trade_id;
  int64_t total_count = 0;
  std::vector<QueryRecord> records;  // every page, in order, each record once
  // Every record total_count announced was read. false: paging stopped at a guard (see
  // CustomsClient::Query), so a record missing here may still exist at WeChat.
  bool complete = true;
};

struct ModifyRequest {
  std::string appid, mchid, out_trade_no, transaction_id, customs, merchant_customs_no;
  std::string sub_order_no;  // "" when not split
  std::optional<int64_t> duty, order_fee, transport_fee, product_fee;
};

struct RedeclareRequest {
  std::string appid, mchid, out_trade_no, customs, merchant_customs_no;
  std::string sub_order_no;  // "" when not split
};

struct VerifyCertificateRequest {
  std::string appid, mchid, out_trade_no, transaction_id, customs, merchant_customs_no;
  std::string sub_order_no;
  std::string certificate_type = "IDCARD";
  std::string certificate_id;    // plaintext; encrypted by the client
  std::string certificate_name;  // plaintext; encrypted by the client
};

struct VerifyCertificateResult {
  std::string certificate_check_result;  // SAME or DIFFERENT
};

// The outcome, and the value when the outcome is kOk.
template <typename T>
struct ApiResult {
  ApiOutcome outcome;
  std::optional<T> value;
};

}  // namespace customsd
