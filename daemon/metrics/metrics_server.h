// MetricsServer: the HTTP side of [metrics] listen, on cpp-httplib.
//
//   GET /metrics  200, "text/plain; version=0.0.4": every family of the sources, in order
//                 (Metrics, DatabaseGauges, ...), rendered at request time
//   GET /healthz  200 "ok" when the health check returns ok, else 503 "unhealthy: <reason>"
//   GET /         a one-line index; anything else 404
//
// Contract:
//  - Start(listen) and Stop() are HttpListener's (daemon/process/http_listener.h), with errors
//    that start with "metrics.listen: ".
//  - Handlers never throw out: a health check or collector that throws answers 503 / 500.
//
// Thread safety: Start and Stop from one thread. Requests are served on a small pool of the
// server's own threads, so sources and the health check must be thread-safe (Metrics and
// DatabaseGauges are; Heartbeat is).
#pragma once

#include <httplib.h>
#include <prometheus/collectable.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "daemon/process/http_listener.h"

namespace customsd {

// Liveness of a loop: the loop calls Beat() on every turn; Check() says whether the last beat
// is recent. Lock-free; any thread may call either.
class Heartbeat {
 public:
  void Beat(TimePoint now) { last_ms_.store(UnixMillis(now)); }
  // Ok when a beat happened at most `max_age` before `now`; else kUnavailable naming `what`.
  Status Check(TimePoint now, std::chrono::milliseconds max_age, std::string_view what) const;

 private:
  std::atomic<int64_t> last_ms_{-1};  // -1 = never
};

class MetricsServer {
 public:
  // Ok = healthy; otherwise the message is the reason /healthz shows.
  using HealthCheck = std::function<Status()>;

  // The sources must outlive the server. A null health check means always healthy.
  MetricsServer(std::vector<const prometheus::Collectable*> sources, HealthCheck health);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  StatusOr<int> Start(std::string_view listen);
  void Stop();

  int port() const { return listener_.port(); }  // 0 before Start

 private:
  void HandleMetrics(httplib::Response& res) const;
  void HandleHealth(httplib::Response& res) const;

  std::vector<const prometheus::Collectable*> sources_;
  HealthCheck health_;
  HttpListener listener_;
};

}  // namespace customsd
