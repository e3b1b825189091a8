// ApiCaller: one signed request to WeChat Pay and its verified, classified answer.
//
// Builds the URL from base_url + path_prefix + path (+ query), signs exactly the path and query
// it sends, sends through the HttpTransport, checks the response signature with the platform
// keys (refreshing them once when an unknown serial appears) and classifies the answer
// (see api_outcome.h). A 2xx whose signature does not verify is kUnknown, never kOk.
//
// Thread safety: Call() may run on many threads at once.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "common/clock.h"
#include "wechatpay/api_outcome.h"
#include "wechatpay/http_transport.h"
#include "wechatpay/signer.h"

namespace customsd {

// Where platform keys come from; the certificate manager implements it.
class PlatformKeySource {
 public:
  virtual ~PlatformKeySource() = default;
  virtual SharedPkey Find(std::string_view serial) = 0;
  // A response named a serial not known: refresh the keys (at most once in a while).
  virtual void RefreshAfterUnknownSerial(std::string_view serial) = 0;
  // The serial to send as Wechatpay-Serial; nullopt when no key is known yet.
  virtual std::optional<std::string> TrustedSerial() = 0;
};

struct ApiEndpoint {
  std::string base_url = "https://apihk.mch.weixin.qq.com";
  std::string path_prefix = "/v3/global";
  std::chrono::milliseconds timeout{30000};
  std::string user_agent = "customsd";
};

struct ApiCall {
  std::string method;  // GET, POST, PATCH
  std::string path;    // below the prefix, e.g. "/customs/orders"
  std::string query;   // already encoded, without '?'; "" for none
  std::string body;    // "" for GET
  bool is_query = false;  // "does not exist" answers mean kNotFound
  std::string endpoint;   // for metrics: declare, query, modify, redeclare, ... ("" = other)
};

// What the caller reports about each request (metrics); implementations must be thread-safe.
class ApiObserver {
 public:
  virtual ~ApiObserver() = default;
  // `mchid`: the merchant whose key signed the request.
  virtual void OnRequest(std::string_view mchid, std::string_view endpoint, OutcomeClass outcome,
                         std::chrono::duration<double> seconds) = 0;
  virtual void OnVerificationFailure() = 0;
};

struct ApiAnswer {
  ApiOutcome outcome;
  std::string body;  // the response body when one arrived
};

class ApiCaller {
 public:
  ApiCaller(ApiEndpoint endpoint, HttpTransport& transport, const RequestSigner& signer,
            PlatformKeySource& keys, const Clock& clock)
      : endpoint_(std::move(endpoint)), transport_(transport), signer_(signer), keys_(keys),
        clock_(clock) {}

  ApiAnswer Call(const ApiCall& call);

  // Signs and sends without checking the answer's signature: for /certificates, whose answer
  // is checked with the keys it carries.
  TransportResult SendSigned(const ApiCall& call);

  // Classifies a transport failure (kNotSent -> retry, kUnknown -> unknown).
  static ApiOutcome FromTransportError(const TransportError& error);

  // Responses whose signature failed to verify, since start (for metrics and alerts).
  int64_t verification_failures() const { return verification_failures_.load(); }

  const std::string& mchid() const { return signer_.mchid(); }
  PlatformKeySource& keys() { return keys_; }
  // Set once before use; nullptr = nobody listens.
  void set_observer(ApiObserver* observer) { observer_ = observer; }
  ApiObserver* observer() const { return observer_; }
  const Clock& clock() const { return clock_; }

 private:
  ApiAnswer CallUnobserved(const ApiCall& call);

  ApiEndpoint endpoint_;
  HttpTransport& transport_;
  const RequestSigner& signer_;
  PlatformKeySource& keys_;
  const Clock& clock_;
  std::atomic<int64_t> verification_failures_{0};
  ApiObserver* observer_ = nullptr;
};

}  // namespace customsd
