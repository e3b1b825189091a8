// CurlTransport: the HttpTransport of the daemon, on libcurl.
//
// Contract
//  - TLS peer and host name verification are always on; there is no switch to turn them off.
//    ca_file (the [wechatpay] ca_file) is trusted in addition to the system CAs. TLS 1.2 or
//    newer.
//  - Only http and https. http:// is refused unless the host is loopback (localhost,
//    127.0.0.0/8, [::1]), so a mistyped base_url cannot send signed requests in clear text.
//  - Redirects are not followed; every HTTP status (4xx and 5xx included) is a response.
//    Proxies from the environment (https_proxy, no_proxy) are honoured as libcurl does.
//  - The body is sent and received byte for byte: no Content-Type or Accept-Encoding is added,
//    no "Expect: 100-continue", and the URL path is sent as given (no dot-segment removal).
//  - response.headers are those of the final response only (interim 1xx and proxy CONNECT
//    responses are dropped).
//
// Errors (TransportError::kind)
//  - kNotSent: the request did not leave this process: the URL was refused, the method or a
//    header was invalid, or the connection never came up (DNS, refused, connect timeout, TLS
//    handshake or certificate failure). Decided by libcurl's pre-request callback, which runs
//    once a connection is ready and before the first request byte is written: no callback, no
//    byte sent.
//  - kUnknown: anything after that point: timeout while waiting, reset, empty reply, truncated
//    body, a response over max_response_bytes, AbortAll. The server may have acted on it.
//  Messages are one line (libcurl's error text) and never contain request headers or body.
//
// Thread safety: Send, AbortAll and Resume may be called from any number of threads at once.
// Each Send borrows an idle libcurl handle from a pool (creating one when none is idle), so
// concurrent Sends run in parallel and a later Send reuses the kept-alive connections of an
// earlier one. DNS cache and TLS sessions are shared by all handles. The destructor must not
// run while a Send is in progress.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "wechatpay/http_transport.h"

namespace customsd {

struct CurlTransportOptions {
  std::string ca_file;  // PEM bundle trusted in addition to the system CAs; empty = system only
  std::chrono::milliseconds timeout{30000};  // whole request, when HttpRequest::timeout is 0
  std::chrono::milliseconds connect_timeout{10000};
  std::string user_agent = "customsd";
  size_t max_response_bytes = 4 << 20;  // larger bodies end the transfer with kUnknown
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  TransportResult Send(const HttpRequest& request) override;

  // For shutdown: every Send in progress returns within milliseconds with message "aborted"
  // (kUnknown once its request may have been written, else kNotSent), and every Send that
  // starts afterwards returns kNotSent "transport aborted" without connecting, until Resume().
  void AbortAll();
  // Lets new Sends through again. Sends that were in progress at AbortAll stay aborted.
  void Resume();

 private:
  struct Slot;  // one easy handle with its own multi handle (and so its connection cache)
  struct Share;

  std::unique_ptr<Slot> Acquire();
  void Release(std::unique_ptr<Slot> slot);

  const CurlTransportOptions options_;
  std::unique_ptr<Share> share_;

  std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> idle_;  // guarded by mu_
  std::vector<Slot*> all_;                   // every slot, idle or not; guarded by mu_

  // AbortAll sets aborted_ and then bumps abort_epoch_; a Send aborts when the epoch it saw at
  // its start has changed, so a quick Resume cannot un-abort it.
  std::atomic<bool> aborted_{false};
  std::atomic<unsigned> abort_epoch_{0};
};

}  // namespace customsd
