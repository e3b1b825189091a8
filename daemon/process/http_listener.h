// HttpListener: runs one cpp-httplib server on its own thread, for [metrics] and [api].
//
// Contract:
//  - Start(server, listen, key) takes "host:port", "[v6]:port" or "localhost:port"; port 0 lets
//    the OS pick. It returns the bound port once the server accepts connections. Every failure
//    is a Status whose message starts with `key` ("metrics.listen: ") and names the address.
//    A busy port is an error (SO_REUSEADDR only: no second process can share it).
//  - Stop() is prompt: it closes the listener and every connection the server accepted (idle
//    keep-alive ones included), and returns when the server threads have ended. Idempotent;
//    the destructor calls it.
//
// Thread safety: Start and Stop from one thread. Requests are served on a small pool of the
// server's own threads (kListenerThreads), so handlers must be thread-safe.
#pragma once

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.h"

namespace customsd {

inline constexpr size_t kListenerThreads = 4;
inline constexpr time_t kListenerTimeoutSeconds = 5;

// "host:port" / "[v6]:port" split into host (brackets removed) and port (0-65535). Errors name
// `key`.
struct ListenAddress {
  std::string host;
  int port = 0;
};
StatusOr<ListenAddress> ParseListenAddress(std::string_view listen,
                                           std::string_view key = "metrics.listen");

// The pool, timeouts and socket options every customsd server uses; call before adding routes.
// httplib keeps a thread for each kept-alive connection, so `threads` bounds the clients
// served at once.
void PrepareServer(httplib::Server& server, size_t threads = kListenerThreads);

class HttpListener {
 public:
  HttpListener() = default;
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  StatusOr<int> Start(std::unique_ptr<httplib::Server> server, std::string_view listen,
                      std::string_view key);
  void Stop();

  int port() const { return port_; }  // 0 before Start

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  std::atomic<bool> listener_ended_{false};
  std::string host_;
  int port_ = 0;
};

}  // namespace customsd
