#include "wechatpay/api_outcome.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace customsd {
namespace {

std::string Squash(std::string_view code) {
  std::string s;
  for (char c : code) {
    if (c == '_' || c == '-' || c == ' ') continue;
    s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

bool MentionsNotExisting(std::string_view message) {
  std::string m(message);
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
  return m.find("not exist") != std::string::npos || m.find("not found") != std::string::npos ||
         m.find("不存在") != std::string::npos;
}

// "Customs information is not configured" concerns the merchant, not the order.
bool MentionsMerchantSetup(std::string_view message) {
  std::string m(message);
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
  return m.find("not configured") != std::string::npos ||
         m.find("not registered") != std::string::npos ||
         m.find("self-clearance") != std::string::npos;
}

}  // namespace

std::string_view ToString(OutcomeClass c) {
  switch (c) {
    case OutcomeClass::kOk: return "ok";
    case OutcomeClass::kNotFound: return "not_found";
    case OutcomeClass::kRetry: return "retry";
    case OutcomeClass::kUnknown: return "unknown";
    case OutcomeClass::kRefused: return "refused";
    case OutcomeClass::kAuthProblem: return "auth_problem";
  }
  return "?";
}

std::string ApiOutcome::ToString() const {
  std::string s(customsd::ToString(cls));
  if (http_status != 0) s += ": HTTP " + std::to_string(http_status);
  if (!code.empty()) s += " " + code;
  if (!message.empty()) s += ": " + message;
  if (!request_id.empty()) s += " (Request-ID " + request_id + ")";
  return s;
}

RefusalScope ScopeOf(const ApiOutcome& o) {
  if (o.cls == OutcomeClass::kAuthProblem) return RefusalScope::kMerchant;
  if (o.cls == OutcomeClass::kRefused && o.merchant_level) return RefusalScope::kCustoms;
  return RefusalScope::kRequest;
}

std::string CanonicalErrorCode(std::string_view code) {
  const std::string s = Squash(code);
  if (s == "SYSTEMERROR") return "SYSTEM_ERROR";
  if (s == "FREQUENCYLIMITED" || s == "RATELIMITED" || s == "RATELIMITEXCEEDED" ||
      s == "FREQUENCYLIMITEXCEED" || s == "FREQUENCYLIMITEXCEEDED") {
    return "RATE_LIMITED";
  }
  if (s == "NOAUTH") return "NO_AUTH";
  if (s == "ORDERNOTEXIST" || s == "RESOURCENOTEXISTS" || s == "RESOURCENOTEXIST" ||
      s == "NOTFOUND" || s == "ORDERNOTEXISTS") {
    return "NOT_FOUND";
  }
  if (s == "PARAMERROR") return "PARAM_ERROR";
  if (s == "INVALIDREQUEST") return "INVALID_REQUEST";
  if (s == "SIGNERROR") return "SIGN_ERROR";
  if (s == "SERVICEUNAVAILABLE") return "SERVICE_UNAVAILABLE";
  return s;
}

ApiOutcome ClassifyHttpAnswer(int status, std::string_view body, std::string_view request_id,
                              bool verified, bool is_query) {
  ApiOutcome o;
  o.http_status = status;
  o.request_id = std::string(request_id);
  if (status < 200 || status >= 300) {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      if (j.contains("code") && j["code"].is_string()) o.code = j["code"].get<std::string>();
      if (j.contains("message") && j["message"].is_string()) {
        o.message = j["message"].get<std::string>();
      }
      if (j.contains("detail") && !j["detail"].is_null()) o.detail = j["detail"].dump();
    }
  }
  const std::string canonical = CanonicalErrorCode(o.code);

  if (status == 202 || status >= 500) {
    o.cls = OutcomeClass::kRetry;
  } else if (status == 429 || canonical == "RATE_LIMITED") {
    o.cls = OutcomeClass::kRetry;
    o.slow_down = true;
  } else if (status >= 200 && status < 300) {
    o.cls = verified ? OutcomeClass::kOk : OutcomeClass::kUnknown;
    if (!verified) o.message = "response signature did not verify";
  } else if (status == 401 || canonical == "SIGN_ERROR") {
    o.cls = OutcomeClass::kAuthProblem;
  } else if (!verified) {
    // An unsigned refusal could be forged; it must not put a declaration to rest.
    o.cls = OutcomeClass::kUnknown;
    o.message = "refusal with a signature that did not verify: " + o.message;
  } else if (canonical == "SYSTEM_ERROR" || canonical == "SERVICE_UNAVAILABLE") {
    // WeChat's "try again" comes on 4xx answers too: the code decides, not the status. After
    // the signature check, so a forged one cannot turn a doubtful send into a blind resend.
    o.cls = OutcomeClass::kRetry;
  } else if (is_query && (status == 404 || canonical == "NOT_FOUND" ||
                          (canonical == "INVALID_REQUEST" && MentionsNotExisting(o.message)))) {
    o.cls = OutcomeClass::kNotFound;
  } else {
    o.cls = OutcomeClass::kRefused;
    o.merchant_level = canonical == "NO_AUTH" ||
                       (canonical == "INVALID_REQUEST" && MentionsMerchantSetup(o.message));
  }
  return o;
}

}  // namespace customsd
