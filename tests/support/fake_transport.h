// A scripted HttpTransport: each Send() is answered by a handler the test sets, and every
// request is recorded. Plus helpers to build responses signed like WeChat Pay's.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "wechatpay/http_transport.h"
#include "wechatpay/private_key.h"

namespace customsd::testing {

class FakeTransport final : public HttpTransport {
 public:
  using Handler = std::function<TransportResult(const HttpRequest&)>;

  explicit FakeTransport(Handler handler = nullptr) : handler_(std::move(handler)) {}
  void SetHandler(Handler handler) {
    std::lock_guard<std::mutex> lock(mu_);
    handler_ = std::move(handler);
  }

  TransportResult Send(const HttpRequest& request) override {
    Handler handler;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
      handler = handler_;
    }
    if (!handler) return {std::nullopt, TransportError{TransportErrorKind::kNotSent, "no handler"}};
    return handler(request);
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  Handler handler_;
  std::vector<HttpRequest> requests_;
};

// The platform key pair and serial of the test vectors, for signing fake answers.
struct PlatformSigner {
  PlatformSigner();
  SharedPkey private_key;
  SharedPkey public_key;
  std::string serial;
  std::string certificate_pem;

  // A response signed over (timestamp, nonce, body) with the platform key.
  HttpResponse Signed(int status, const std::string& body, int64_t timestamp_s) const;
};

TransportResult Answer(HttpResponse response);
TransportResult NetworkError(TransportErrorKind kind, const std::string& message = "fake");

}  // namespace customsd::testing
