#include "wechatpay/api_caller.h"

#include "wechatpay/response_verifier.h"

namespace customsd {

TransportResult ApiCaller::SendSigned(const ApiCall& call) {
  // The path that is signed must be byte-identical to the path that is sent.
  std::string path_with_query = endpoint_.path_prefix + call.path;
  if (!call.query.empty()) path_with_query += "?" + call.query;
  auto authorization = signer_.Authorization(call.method, path_with_query, call.body);
  if (!authorization.ok()) {
    return {std::nullopt, TransportError{TransportErrorKind::kNotSent,
                                         "cannot sign request: " + authorization.status().message()}};
  }
  HttpRequest request;
  request.method = call.method;
  request.url = endpoint_.base_url + path_with_query;
  request.timeout = endpoint_.timeout;
  request.body = call.body;
  request.headers = {{"Authorization", *authorization},
                     {"Accept", "application/json"},
                     {"User-Agent", endpoint_.user_agent}};
  if (!call.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  if (auto serial = keys_.TrustedSerial()) request.headers.emplace_back("Wechatpay-Serial", *serial);
  return transport_.Send(request);
}

ApiOutcome ApiCaller::FromTransportError(const TransportError& error) {
  ApiOutcome o;
  o.cls = error.kind == TransportErrorKind::kNotSent ? OutcomeClass::kRetry : OutcomeClass::kUnknown;
  o.message = error.message;
  return o;
}

ApiAnswer ApiCaller::Call(const ApiCall& call) {
  const auto started = std::chrono::steady_clock::now();
  ApiAnswer answer = CallUnobserved(call);
  if (observer_ != nullptr) {
    observer_->OnRequest(mchid(), call.endpoint, answer.outcome.cls,
                         std::chrono::steady_clock::now() - started);
  }
  return answer;
}

ApiAnswer ApiCaller::CallUnobserved(const ApiCall& call) {
  TransportResult result = SendSigned(call);
  if (!result.ok()) return {FromTransportError(*result.error), ""};
  HttpResponse& response = *result.response;

  const ResponseSignature sig = SignatureOf(response);
  const int64_t now_s = UnixMillis(clock_.Now()) / 1000;
  auto lookup = [this](std::string_view serial) { return keys_.Find(serial); };
  VerifyVerdict verdict = VerifyResponse(sig, response.body, now_s, lookup);
  if (verdict == VerifyVerdict::kUnknownSerial) {
    keys_.RefreshAfterUnknownSerial(sig.serial);
    verdict = VerifyResponse(sig, response.body, now_s, lookup);
  }
  const bool verified = verdict == VerifyVerdict::kOk;
  if (!verified) {
    ++verification_failures_;
    if (observer_ != nullptr) observer_->OnVerificationFailure();
  }

  ApiOutcome outcome = ClassifyHttpAnswer(response.status, response.body,
                                          response.Header("Request-ID").value_or(""), verified,
                                          call.is_query);
  if (!verified && outcome.cls != OutcomeClass::kOk) {
    outcome.message += outcome.message.empty() ? "" : "; ";
    outcome.message += "signature check: " + std::string(ToString(verdict));
  }
  return {std::move(outcome), std::move(response.body)};
}

}  // namespace customsd
