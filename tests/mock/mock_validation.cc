#include "tests/mock/mock_validation.h"

#include <array>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>

namespace customsd::mock {
namespace {

using Json = nlohmann::json;

enum class Type {
  kString,  // string[1,32]
  kText,    // string[1,1024]: the base64 ciphertexts of verify-certificate
  kFee,     // non-negative JSON integer (fen)
};

enum class Chars {
  kAny,
  kOrderNo,  // out_trade_no: 0-9 A-Z a-z _ - | * @
  kDigits,   // transaction_id
  kCustoms,  // customs codes: A-Z 0-9 _
};

struct Spec {
  std::string_view name;
  Type type;
  bool required;
  Chars chars = Chars::kAny;
};

constexpr size_t kMaxString = 32;
constexpr size_t kMaxText = 1024;

// WeChat counts characters, not bytes.
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool Allowed(char c, Chars chars) {
  switch (chars) {
    case Chars::kAny:
      return true;
    case Chars::kOrderNo:
      return IsAlnum(c) || c == '_' || c == '-' || c == '|' || c == '*' || c == '@';
    case Chars::kDigits:
      return c >= '0' && c <= '9';
    case Chars::kCustoms:
      return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  return false;
}

std::string CharsIssue(Chars chars) {
  switch (chars) {
    case Chars::kOrderNo:
      return "may only contain 0-9 A-Z a-z and _ - | * @";
    case Chars::kDigits:
      return "must be digits only";
    case Chars::kCustoms:
      return "may only contain A-Z 0-9 and _";
    case Chars::kAny:
      break;
  }
  return "has a character that is not allowed";
}

std::string ValueText(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::optional<ApiError> CheckString(const Spec& s, const std::string& text,
                                    std::string_view location) {
  const size_t max = s.type == Type::kText ? kMaxText : kMaxString;
  const size_t n = CodePoints(text);
  if (n == 0 || n > max) {
    return ParamError(std::string(s.name), text,
                      "length must be 1 to " + std::to_string(max) + " characters",
                      std::string(location));
  }
  for (char c : text) {
    if (!Allowed(c, s.chars)) {
      return ParamError(std::string(s.name), text, CharsIssue(s.chars), std::string(location));
    }
  }
  return std::nullopt;
}

std::optional<ApiError> CheckValue(const Spec& s, const Json& v) {
  const std::string name(s.name);
  if (s.type == Type::kFee) {
    if (!v.is_number_integer()) return ParamError(name, ValueText(v), "must be an integer");
    const bool negative = v.is_number_unsigned() ? false : v.get<int64_t>() < 0;
    const bool too_big =
        v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()};
    if (negative || too_big) {
      return ParamError(name, ValueText(v), "must be a non-negative integer (fen)");
    }
    return std::nullopt;
  }
  if (!v.is_string()) return ParamError(name, ValueText(v), "must be a string");
  return CheckString(s, v.get<std::string>(), "body");
}

// Checks `obj` against `specs` (in table order), then refuses fields the API does not have.
std::optional<ApiError> CheckFields(const Json& obj, std::span<const Spec> specs) {
  for (const Spec& s : specs) {
    auto it = obj.find(s.name);
    if (it == obj.end()) {
      if (s.required) return ParamError(std::string(s.name), "", "is required");
      continue;
    }
    if (auto e = CheckValue(s, *it)) return e;
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (const Spec& s : specs) known = known || s.name == it.key();
    if (!known)
      return ParamError(it.key(), ValueText(it.value()), "is not a parameter of this API");
  }
  return std::nullopt;
}

std::optional<Json> ParseObject(std::string_view body, ApiError* error) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    *error = ParamError("#", "", "the request body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

std::string Str(const Json& obj, std::string_view name) {
  auto it = obj.find(name);
  return it == obj.end() ? std::string() : it->get<std::string>();
}

std::optional<int64_t> Fee(const Json& obj, std::string_view name) {
  auto it = obj.find(name);
  if (it == obj.end()) return std::nullopt;
  return it->get<int64_t>();
}

constexpr std::array kDeclareSpecs = {
    Spec{"appid", Type::kString, true},
    Spec{"mchid", Type::kString, true},
    Spec{"out_trade_no", Type::kString, true, Chars::kOrderNo},
    Spec{"transaction_id", Type::kString, true, Chars::kDigits},
    Spec{"customs", Type::kString, true, Chars::kCustoms},
    Spec{"merchant_customs_no", Type::kString, true},
    Spec{"duty", Type::kFee, false},
    Spec{"sub_order_no", Type::kString, false},
    Spec{"fee_type", Type::kString, false},
    Spec{"order_fee", Type::kFee, false},
    Spec{"transport_fee", Type::kFee, false},
    Spec{"product_fee", Type::kFee, false},
};

constexpr std::array kModifySpecs = {
    Spec{"appid", Type::kString, true},
    Spec{"mchid", Type::kString, true},
    Spec{"out_trade_no", Type::kString, true, Chars::kOrderNo},
    Spec{"transaction_id", Type::kString, true, Chars::kDigits},
    Spec{"customs", Type::kString, true, Chars::kCustoms},
    Spec{"merchant_customs_no", Type::kString, true},
    Spec{"sub_order_no", Type::kString, false},
    Spec{"duty", Type::kFee, false},
    Spec{"order_fee", Type::kFee, false},
    Spec{"transport_fee", Type::kFee, false},
    Spec{"product_fee", Type::kFee, false},
};

constexpr std::array kRedeclareSpecs = {
    Spec{"appid", Type::kString, true},
    Spec{"mchid", Type::kString, true},
    Spec{"out_trade_no", Type::kString, false, Chars::kOrderNo},
    Spec{"transaction_id", Type::kString, false, Chars::kDigits},
    Spec{"sub_order_no", Type::kString, false},
    Spec{"sub_order_id", Type::kString, false},
    Spec{"customs", Type::kString, true, Chars::kCustoms},
    Spec{"merchant_customs_no", Type::kString, true},
};

constexpr std::array kVerifySpecs = {
    Spec{"appid", Type::kString, true},
    Spec{"mchid", Type::kString, true},
    Spec{"out_trade_no", Type::kString, true, Chars::kOrderNo},
    Spec{"transaction_id", Type::kString, true, Chars::kDigits},
    Spec{"customs", Type::kString, true, Chars::kCustoms},
    Spec{"merchant_customs_no", Type::kString, true},
    Spec{"sub_order_no", Type::kString, false},
    Spec{"certificate_type", Type::kString, true},
    Spec{"certificate_id", Type::kText, true},
    Spec{"certificate_name", Type::kText, true},
};

constexpr std::array kQuerySpecs = {
    Spec{"appid", Type::kString, true},
    Spec{"mchid", Type::kString, true},
    Spec{"order_type", Type::kString, true},
    Spec{"order_no", Type::kString, true},
    Spec{"customs", Type::kString, true, Chars::kCustoms},
    Spec{"offset", Type::kString, false, Chars::kDigits},
    Spec{"limit", Type::kString, false, Chars::kDigits},
};

}  // namespace

// WeChat's amount rule for split orders; kept apart so the message matches WeChat's table.
std::optional<ApiError> CheckSplitFees(int64_t order_fee, int64_t transport_fee,
                                       int64_t product_fee) {
  const bool overflow = product_fee > std::numeric_limits<int64_t>::max() - transport_fee;
  if (overflow || order_fee != transport_fee + product_fee) {
    return ApiError{400, "PARAM_ERROR", "Merchant's split declaration amount is incorrect",
                    ErrorDetail{"order_fee", std::to_string(order_fee),
                                "must equal transport_fee + product_fee", "body"}};
  }
  return std::nullopt;
}

ApiResult<DeclarationFields> ValidateDeclare(std::string_view body) {
  ApiError error;
  std::optional<Json> j = ParseObject(body, &error);
  if (!j) return error;
  if (auto e = CheckFields(*j, kDeclareSpecs)) return *e;

  DeclarationFields f;
  f.appid = Str(*j, "appid");
  f.mchid = Str(*j, "mchid");
  f.out_trade_no = Str(*j, "out_trade_no");
  f.transaction_id = Str(*j, "transaction_id");
  f.customs = Str(*j, "customs");
  f.merchant_customs_no = Str(*j, "merchant_customs_no");
  f.duty = Fee(*j, "duty");
  f.sub_order_no = Str(*j, "sub_order_no");
  if (j->contains("fee_type")) f.fee_type = Str(*j, "fee_type");
  f.order_fee = Fee(*j, "order_fee");
  f.transport_fee = Fee(*j, "transport_fee");
  f.product_fee = Fee(*j, "product_fee");

  if (!f.sub_order_no.empty()) {
    for (std::string_view name : {"fee_type", "order_fee", "transport_fee", "product_fee"}) {
      if (!j->contains(name)) {
        return ApiError{400, "PARAM_ERROR", "Missing parameters in split declaration",
                        ErrorDetail{std::string(name), "",
                                    "is required for a split order (sub_order_no is set)", "body"}};
      }
    }
  }
  if (f.fee_type && *f.fee_type != "CNY") {
    return ParamError("fee_type", *f.fee_type, "only CNY is supported");
  }
  if (f.order_fee && f.transport_fee && f.product_fee) {
    if (auto e = CheckSplitFees(*f.order_fee, *f.transport_fee, *f.product_fee)) return *e;
  }
  return f;
}

ApiResult<ModifyRequest> ValidateModify(std::string_view body) {
  ApiError error;
  std::optional<Json> j = ParseObject(body, &error);
  if (!j) return error;
  if (auto e = CheckFields(*j, kModifySpecs)) return *e;
  ModifyRequest m;
  m.appid = Str(*j, "appid");
  m.mchid = Str(*j, "mchid");
  m.out_trade_no = Str(*j, "out_trade_no");
  m.transaction_id = Str(*j, "transaction_id");
  m.customs = Str(*j, "customs");
  m.merchant_customs_no = Str(*j, "merchant_customs_no");
  m.sub_order_no = Str(*j, "sub_order_no");
  m.duty = Fee(*j, "duty");
  m.order_fee = Fee(*j, "order_fee");
  m.transport_fee = Fee(*j, "transport_fee");
  m.product_fee = Fee(*j, "product_fee");
  return m;
}

ApiResult<RedeclareRequest> ValidateRedeclare(std::string_view body) {
  ApiError error;
  std::optional<Json> j = ParseObject(body, &error);
  if (!j) return error;
  if (auto e = CheckFields(*j, kRedeclareSpecs)) return *e;
  RedeclareRequest r;
  r.appid = Str(*j, "appid");
  r.mchid = Str(*j, "mchid");
  r.out_trade_no = Str(*j, "out_trade_no");
  r.transaction_id = Str(*j, "transaction_id");
  r.sub_order_no = Str(*j, "sub_order_no");
  r.sub_order_id = Str(*j, "sub_order_id");
  r.customs = Str(*j, "customs");
  r.merchant_customs_no = Str(*j, "merchant_customs_no");
  if (r.out_trade_no.empty() && r.transaction_id.empty()) {
    return ParamError("out_trade_no", "", "one of out_trade_no and transaction_id is required");
  }
  return r;
}

ApiResult<QueryRequest> ValidateQuery(const std::multimap<std::string, std::string>& params) {
  for (const auto& [name, value] : params) {
    bool known = false;
    for (const Spec& s : kQuerySpecs) known = known || s.name == name;
    if (!known) return ParamError(name, value, "is not a parameter of this API", "query");
    if (params.count(name) > 1) return ParamError(name, value, "is given more than once", "query");
  }
  for (const Spec& s : kQuerySpecs) {
    auto it = params.find(std::string(s.name));
    if (it == params.end()) {
      if (s.required) return ParamError(std::string(s.name), "", "is required", "query");
      continue;
    }
    if (auto e = CheckString(s, it->second, "query")) return *e;
  }
  auto get = [&](const char* name) {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  QueryRequest q;
  q.appid = get("appid");
  q.mchid = get("mchid");
  q.order_type = get("order_type");
  q.order_no = get("order_no");
  q.customs = get("customs");
  if (q.order_type != "out_trade_no" && q.order_type != "transaction_id" &&
      q.order_type != "sub_order_no" && q.order_type != "sub_order_id") {
    return ParamError("order_type", q.order_type,
                      "must be one of out_trade_no, transaction_id, sub_order_no, sub_order_id",
                      "query");
  }
  // Digits only (checked above); at most 9 of them so std::stoll cannot overflow.
  for (const char* name : {"offset", "limit"}) {
    if (get(name).size() > 9) return ParamError(name, get(name), "is too large", "query");
  }
  if (std::string offset = get("offset"); !offset.empty()) q.offset = std::stoll(offset);
  if (std::string limit = get("limit"); !limit.empty()) {
    q.limit = std::stoll(limit);
    if (q.limit < 1) return ParamError("limit", limit, "must be a positive integer", "query");
  }
  return q;
}

ApiResult<VerifyCertificateRequest> ValidateVerifyCertificate(std::string_view body) {
  ApiError error;
  std::optional<Json> j = ParseObject(body, &error);
  if (!j) return error;
  if (auto e = CheckFields(*j, kVerifySpecs)) return *e;
  VerifyCertificateRequest v;
  v.appid = Str(*j, "appid");
  v.mchid = Str(*j, "mchid");
  v.out_trade_no = Str(*j, "out_trade_no");
  v.transaction_id = Str(*j, "transaction_id");
  v.customs = Str(*j, "customs");
  v.merchant_customs_no = Str(*j, "merchant_customs_no");
  v.sub_order_no = Str(*j, "sub_order_no");
  v.certificate_type = Str(*j, "certificate_type");
  v.certificate_id = Str(*j, "certificate_id");
  v.certificate_name = Str(*j, "certificate_name");
  if (v.certificate_type != "IDCARD") {
    return ParamError("certificate_type", v.certificate_type, "only IDCARD is supported");
  }
  return v;
}

}  // namespace customsd::mock
