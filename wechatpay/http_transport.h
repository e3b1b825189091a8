// The HTTP transport seam: plain value types in and out, so a fake transport in a test is a
// few lines. Transport failures are kept apart from HTTP status codes, and split by whether the
// request may have reached the server, because that decides whether a declare may be resent.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace customsd {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", "PATCH"
  std::string url;     // absolute, with the query string exactly as signed
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds timeout{0};  // total time allowed; 0 = the transport's default
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  // The first header of that name, compared case-insensitively; nullopt when absent.
  std::optional<std::string> Header(std::string_view name) const;
};

enum class TransportErrorKind {
  // The request certainly did not reach the server: DNS, connection refused, TLS handshake or
  // certificate failure, a URL the transport refuses. Safe to send again.
  kNotSent,
  // The request may have reached the server: timeout, reset or truncation after sending. The
  // outcome is unknown; ask the server before sending again.
  kUnknown,
};

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::kUnknown;
  std::string message;  // one line; never contains request headers or body
};

// Exactly one of response / error is set.
struct TransportResult {
  std::optional<HttpResponse> response;
  std::optional<TransportError> error;

  bool ok() const { return response.has_value(); }
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request and waits for its answer. Thread-safe: the daemon calls it from up to
  // max_in_flight threads at once. Never throws.
  virtual TransportResult Send(const HttpRequest& request) = 0;
};

}  // namespace customsd
