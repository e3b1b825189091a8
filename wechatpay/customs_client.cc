#include "wechatpay/customs_client.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "wechatpay/sensitive_field.h"

namespace customsd {
namespace {

using Json = nlohmann::ordered_json;

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int64_t> Int(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

template <typename T>
void PutIf(Json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

// Parses a 2xx body; a body that is not a JSON object turns the outcome into kUnknown.
std::optional<nlohmann::json> ParseOkBody(ApiAnswer& answer) {
  nlohmann::json j = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) return j;
  answer.outcome.cls = OutcomeClass::kUnknown;
  answer.outcome.message = "response body is not a JSON object (truncated?)";
  return std::nullopt;
}

ApiResult<DeclarationStatus> StatusResult(ApiAnswer answer) {
  if (!answer.outcome.ok()) return {answer.outcome, std::nullopt};
  auto j = ParseOkBody(answer);
  if (!j) return {answer.outcome, std::nullopt};
  DeclarationStatus s{Str(*j, "state"), Str(*j, "out_trade_no"), Str(*j, "transaction_id"),
                      Str(*j, "sub_order_no"), Str(*j, "sub_order_id"),
                      Str(*j, "verify_department"), Str(*j, "verify_department_trade_id"),
                      Str(*j, "explanation"), Str(*j, "modify_time")};
  if (s.state.empty()) {
    answer.outcome.cls = OutcomeClass::kUnknown;
    answer.outcome.message = "response has no state";
    return {answer.outcome, std::nullopt};
  }
  return {answer.outcome, std::move(s)};
}

QueryRecord RecordOf(const nlohmann::json& d) {
  return {Str(d, "sub_order_no"), Str(d, "sub_order_id"), Str(d, "mch_customs_no"),
          Str(d, "customs"),      Str(d, "fee_type"),     Int(d, "order_fee"),
          Int(d, "duty"),         Int(d, "transport_fee"), Int(d, "product_fee"),
          Str(d, "state"),        Str(d, "explanation"),  Str(d, "modify_time")};
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string CustomsClient::DeclareBody(const DeclarationFields& d) {
  Json j;
  j["appid"] = d.appid;
  j["mchid"] = d.mchid;
  j["out_trade_no"] = d.out_trade_no;
  j["transaction_id"] = d.transaction_id;
  j["customs"] = d.customs;
  j["merchant_customs_no"] = d.merchant_customs_no;
  PutIf(j, "duty", d.duty);
  if (!d.sub_order_no.empty()) j["sub_order_no"] = d.sub_order_no;
  PutIf(j, "fee_type", d.fee_type);
  PutIf(j, "order_fee", d.order_fee);
  PutIf(j, "transport_fee", d.transport_fee);
  PutIf(j, "product_fee", d.product_fee);
  return j.dump();
}

ApiResult<DeclarationStatus> CustomsClient::Declare(const DeclarationFields& d) {
  return StatusResult(caller_.Call({"POST", "/customs/orders", "", DeclareBody(d), false, "declare"}));
}

ApiResult<QueryResult> CustomsClient::Query(const QueryParams& q) {
  // One order has a handful of sub-orders; 50 pages of 20 is far beyond any real answer.
  constexpr int kMaxPages = 50;
  QueryResult result;
  ApiOutcome last;
  int pages = 0;
  for (int64_t offset = 0;;) {
    std::string query = "appid=" + UrlEncode(q.appid) + "&mchid=" + UrlEncode(q.mchid) +
                        "&order_type=" + UrlEncode(q.order_type) +
                        "&order_no=" + UrlEncode(q.order_no) + "&customs=" + UrlEncode(q.customs) +
                        "&offset=" + std::to_string(offset) +
                        "&limit=" + std::to_string(q.page_size);
    ApiAnswer answer = caller_.Call({"GET", "/customs/orders", query, "", /*is_query=*/true, "query"});
    if (!answer.outcome.ok()) return {answer.outcome, std::nullopt};
    auto j = ParseOkBody(answer);
    if (!j) return {answer.outcome, std::nullopt};
    last = answer.outcome;
    result.transaction_id = Str(*j, "transaction_id");
    result.verify_department = Str(*j, "verify_department");
    result.verify_department_trade_id = Str(*j, "verify_department_trade_id");
    result.total_count = Int(*j, "total_count").value_or(0);
    auto data = j->find("data");
    size_t page = 0;
    if (data != j->end() && data->is_array()) {
      for (const auto& item : *data) {
        if (item.is_object()) result.records.push_back(RecordOf(item));
      }
      page = data->size();
    }
    offset += static_cast<int64_t>(page);
    // Stop on a short or empty page, and after kMaxPages: a server that miscounts (say a huge
    // total_count with one record a page) must not keep us asking forever.
    if (page == 0 || page < static_cast<size_t>(q.page_size) || offset >= result.total_count ||
        ++pages >= kMaxPages) {
      break;
    }
  }
  if (result.records.empty()) {
    last.cls = OutcomeClass::kNotFound;
    last.message = "query answered with no records";
    return {last, std::nullopt};
  }
  return {last, std::move(result)};
}

ApiResult<DeclarationStatus> CustomsClient::Modify(const ModifyRequest& m) {
  Json j;
  j["appid"] = m.appid;
  j["mchid"] = m.mchid;
  j["out_trade_no"] = m.out_trade_no;
  j["transaction_id"] = m.transaction_id;
  j["customs"] = m.customs;
  j["merchant_customs_no"] = m.merchant_customs_no;
  if (!m.sub_order_no.empty()) j["sub_order_no"] = m.sub_order_no;
  PutIf(j, "duty", m.duty);
  PutIf(j, "order_fee", m.order_fee);
  PutIf(j, "transport_fee", m.transport_fee);
  PutIf(j, "product_fee", m.product_fee);
  return StatusResult(caller_.Call({"PATCH", "/customs/orders", "", j.dump(), false, "modify"}));
}

ApiResult<DeclarationStatus> CustomsClient::Redeclare(const RedeclareRequest& r) {
  Json j;
  j["appid"] = r.appid;
  j["mchid"] = r.mchid;
  j["out_trade_no"] = r.out_trade_no;
  if (!r.sub_order_no.empty()) j["sub_order_no"] = r.sub_order_no;
  j["customs"] = r.customs;
  j["merchant_customs_no"] = r.merchant_customs_no;
  return StatusResult(caller_.Call({"POST", "/customs/redeclare", "", j.dump(), false, "redeclare"}));
}

ApiResult<VerifyCertificateResult> CustomsClient::VerifyCertificate(
    const VerifyCertificateRequest& v) {
  std::optional<std::string> serial = caller_.keys().TrustedSerial();
  SharedPkey platform_key = serial ? caller_.keys().Find(*serial) : nullptr;
  if (!platform_key) {
    ApiOutcome o;
    o.cls = OutcomeClass::kRetry;
    o.message = "no platform certificate known yet to encrypt the identity with";
    return {o, std::nullopt};
  }
  auto id = EncryptSensitiveField(platform_key.get(), v.certificate_id);
  auto name = EncryptSensitiveField(platform_key.get(), v.certificate_name);
  if (!id.ok() || !name.ok()) {
    ApiOutcome o;
    o.cls = OutcomeClass::kRefused;
    o.message = "cannot encrypt the identity fields: " +
                (id.ok() ? name.status().message() : id.status().message());
    return {o, std::nullopt};
  }
  Json j;
  j["appid"] = v.appid;
  j["mchid"] = v.mchid;
  j["out_trade_no"] = v.out_trade_no;
  j["transaction_id"] = v.transaction_id;
  j["customs"] = v.customs;
  j["merchant_customs_no"] = v.merchant_customs_no;
  if (!v.sub_order_no.empty()) j["sub_order_no"] = v.sub_order_no;
  j["certificate_type"] = v.certificate_type;
  j["certificate_id"] = *id;
  j["certificate_name"] = *name;
  ApiAnswer answer = caller_.Call({"POST", "/customs/verify-certificate", "", j.dump(), false, "verify_certificate"});
  if (!answer.outcome.ok()) return {answer.outcome, std::nullopt};
  auto body = ParseOkBody(answer);
  if (!body) return {answer.outcome, std::nullopt};
  return {answer.outcome, VerifyCertificateResult{Str(*body, "certificate_check_result")}};
}

}  // namespace customsd
