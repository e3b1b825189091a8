// What one call to WeChat Pay came to, reduced to the classes the workflow acts on.
//
//   kOk          2xx with a valid signature and a body that parses
//   kNotFound    the record does not exist (404, INVALID_REQUEST "...not exist...", empty data)
//   kRetry       nothing happened, try the same request again later: 5xx, 202, 429 (slow_down),
//                a signed SYSTEMERROR or SERVICE_UNAVAILABLE whatever its status (WeChat has
//                been seen to send them on a 4xx: the code decides), or a network error before
//                the request was sent
//   kUnknown     it may or may not have happened: timeout or reset after sending, a truncated
//                or unparsable body, a response whose signature does not verify. Ask (query)
//                before sending a declare again.
//   kRefused     WeChat refused the request: PARAM_ERROR, INVALID_REQUEST, NOAUTH, ...
//                (merchant_level when the cause is the merchant's setup at this request's
//                customs, not this order: see ScopeOf)
//   kAuthProblem 401 SIGN_ERROR: our signature or clock is wrong, for every request
//
// Every outcome carries what support asks for: HTTP status, code, message, Request-ID.
#pragma once

#include <string>
#include <string_view>

namespace customsd {

enum class OutcomeClass { kOk, kNotFound, kRetry, kUnknown, kRefused, kAuthProblem };
std::string_view ToString(OutcomeClass c);

struct ApiOutcome {
  OutcomeClass cls = OutcomeClass::kUnknown;
  int http_status = 0;     // 0 when no response arrived
  std::string code;        // WeChat's code as sent (e.g. "SYSTEMERROR"); "" when none
  std::string message;     // WeChat's message, or what went wrong locally; one line
  std::string detail;      // WeChat's detail object as JSON text; "" when none
  std::string request_id;  // the Request-ID response header; "" when none
  bool slow_down = false;       // 429: the whole client should slow down
  // Refused for the merchant's setup at the customs the request named, not for this order:
  // NOAUTH ("the merchant has not registered with the current customs"), "customs information
  // is not configured", "Self-Clearance is not enabled". Other customs are not concerned.
  bool merchant_level = false;

  bool ok() const { return cls == OutcomeClass::kOk; }
  // "retry: HTTP 500 SYSTEMERROR: system busy (Request-ID abc)"
  std::string ToString() const;
};

// What a failed answer concerns, beyond the request itself:
//   kRequest   this request only (or nothing: an answer that is no refusal of the merchant)
//   kCustoms   every request of this merchant to the request's customs (merchant_level)
//   kMerchant  every request of this merchant (kAuthProblem: key, serial_no or clock)
enum class RefusalScope { kRequest, kCustoms, kMerchant };
RefusalScope ScopeOf(const ApiOutcome& o);

// Canonical form of WeChat's error codes, whatever spelling a page or version uses:
// SYSTEM_ERROR, RATE_LIMITED, NO_AUTH, NOT_FOUND, PARAM_ERROR, INVALID_REQUEST, SIGN_ERROR;
// any other code upper-cased as is.
std::string CanonicalErrorCode(std::string_view code);

// Classifies an HTTP answer whose signature has been checked (`verified`) and whose body has
// not been parsed yet. `is_query` turns "does not exist" answers into kNotFound.
ApiOutcome ClassifyHttpAnswer(int status, std::string_view body, std::string_view request_id,
                              bool verified, bool is_query);

}  // namespace customsd
