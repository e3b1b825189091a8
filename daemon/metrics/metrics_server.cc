#include "daemon/metrics/metrics_server.h"

#include <exception>
#include <utility>

#include "daemon/metrics/metrics.h"

namespace customsd {

Status Heartbeat::Check(TimePoint now, std::chrono::milliseconds max_age,
                        std::string_view what) const {
  const int64_t last = last_ms_.load();
  if (last < 0) return Status::Unavailable(std::string(what) + " has not run yet");
  const int64_t age_ms = UnixMillis(now) - last;
  if (age_ms <= max_age.count()) return Status::Ok();
  return Status::Unavailable(std::string(what) + " last ran " + std::to_string(age_ms / 1000) +
                             " s ago (limit " + std::to_string(max_age.count() / 1000) + " s)");
}

MetricsServer::MetricsServer(std::vector<const prometheus::Collectable*> sources,
                             HealthCheck health)
    : sources_(std::move(sources)), health_(std::move(health)) {}

MetricsServer::~MetricsServer() { Stop(); }

StatusOr<int> MetricsServer::Start(std::string_view listen) {
  auto server = std::make_unique<httplib::Server>();
  PrepareServer(*server);
  server->Get("/metrics",
              [this](const httplib::Request&, httplib::Response& res) { HandleMetrics(res); });
  server->Get("/healthz",
              [this](const httplib::Request&, httplib::Response& res) { HandleHealth(res); });
  server->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("customsd: /metrics (Prometheus), /healthz\n", "text/plain; charset=utf-8");
  });
  return listener_.Start(std::move(server), listen, "metrics.listen");
}

void MetricsServer::Stop() { listener_.Stop(); }

void MetricsServer::HandleMetrics(httplib::Response& res) const {
  try {
    res.set_content(RenderMetricsText(sources_), kMetricsContentType);
  } catch (const std::exception& e) {
    res.status = 500;
    res.set_content(std::string("cannot collect metrics: ") + e.what() + "\n",
                    "text/plain; charset=utf-8");
  }
}

void MetricsServer::HandleHealth(httplib::Response& res) const {
  Status health;
  try {
    if (health_) health = health_();
  } catch (const std::exception& e) {
    health = Status::Internal(std::string("health check failed: ") + e.what());
  }
  res.set_header("Cache-Control", "no-store");
  if (health.ok()) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  } else {
    res.status = 503;
    res.set_content("unhealthy: " + health.message() + "\n", "text/plain; charset=utf-8");
  }
}

}  // namespace customsd
