#include "wechatpay/customs_client.h"

#include <algorithm>
#include <cctype>
#include <set>
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

// WeChat's pages write states in upper case; an answer in another casing means the same state.
std::string StateOf(const nlohmann::json& j) {
  std::string s = Str(j, "state");
  const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
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
  DeclarationStatus s{StateOf(*j), Str(*j, "out_trade_no"), Str(*j, "transaction_id"),
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
          StateOf(d),             Str(d, "explanation"),  Str(d, "modify_time")};
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
  Json j = Json::object();
  PutDeclarationFields(j, d);
  return j.dump();
}

ApiResult<DeclarationStatus> CustomsClient::Declare(const DeclarationFields& d) {
  return StatusResult(caller_.Call({"POST", "/customs/orders", "", DeclareBody(d), false, "declare"}));
}

ApiResult<QueryResult> CustomsClient::Query(const QueryParams& q) {
  QueryResult result;
  ApiOutcome last;
  std::set<std::string> seen;  // sub_order_no/customs of the records kept so far
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
    ++pages;
    if (result.transaction_id.empty()) result.transaction_id = Str(*j, "transaction_id");
    if (result.verify_department.empty()) result.verify_department = Str(*j, "verify_department");
    if (result.verify_department_trade_id.empty()) {
      result.verify_department_trade_id = Str(*j, "verify_department_trade_id");
    }
    result.total_count = std::max<int64_t>(Int(*j, "total_count").value_or(0), 0);
    size_t fresh = 0;
    size_t listed = 0;
    if (auto data = j->find("data"); data != j->end() && data->is_array()) {
      listed = data->size();
      for (const auto& item : *data) {
        if (!item.is_object()) continue;
        QueryRecord rec = RecordOf(item);
        // A server that ignores offset hands the same records again: keep each one once.
        if (!seen.insert(rec.sub_order_no + "/" + rec.customs).second) continue;
        result.records.push_back(std::move(rec));
        ++fresh;
      }
    }
    // The page starts where the server says it does (its offset and limit are its own);
    // more remains while offset + len(data) < total_count.
    const int64_t answered_offset = Int(*j, "offset").value_or(offset);
    const int64_t next = answered_offset + static_cast<int64_t>(listed);
    if (next >= result.total_count) {
      result.complete = true;
      break;
    }
    // Guards against a server that miscounts or does not page: a page that brings nothing new,
    // an offset that does not move forward, or more pages than any real order needs. What was
    // read is kept, marked incomplete; the caller asks for what is missing by itself.
    if (fresh == 0 || next <= offset || pages >= kMaxQueryPages ||
        result.records.size() >= kMaxQueryRecords) {
      result.complete = false;
      last.message = "query answer incomplete: listed " + std::to_string(result.records.size()) +
                     " of total_count " + std::to_string(result.total_count) + " after " +
                     std::to_string(pages) + " page(s)";
      break;
    }
    offset = next;
  }
  if (result.records.empty()) {
    if (result.total_count > 0) {
      // Counted but not listed: WeChat has something, so this is not "not found".
      last.cls = OutcomeClass::kRetry;
      last.message = "query answered total_count " + std::to_string(result.total_count) +
                     " but listed no record";
      return {last, std::nullopt};
    }
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
