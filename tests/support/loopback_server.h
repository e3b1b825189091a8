// An HTTP server on 127.0.0.1 and a free port, run on its own thread, for tests that stand in
// for a receiver (webhooks, chat robots, an order system's notification endpoint).
//
// Register handlers on server() first, then Start(). Start() returns once the accept loop runs
// (bounded by a deadline), because httplib's stop() is lost if it comes before that. The
// destructor stops the server and joins its thread, also when a test failed half-way.
#pragma once

#include <httplib.h>

#include <thread>

namespace customsd::testing {

class LoopbackServer {
 public:
  LoopbackServer() = default;
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;
  ~LoopbackServer();

  httplib::Server& server() { return server_; }
  // Binds and starts serving; throws std::runtime_error when no port could be bound.
  void Start();
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace customsd::testing
