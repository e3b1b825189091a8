#include "daemon/metrics/database_gauges.h"

#include <spdlog/spdlog.h>

#include <array>
#include <map>
#include <utility>

namespace customsd {
namespace {

constexpr const auto& kStates = kAllStates;
constexpr const auto& kPhases = kAllPhases;

prometheus::MetricFamily GaugeFamily(std::string name, std::string help) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  return family;
}

prometheus::ClientMetric GaugeValue(double value,
                                    std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  return metric;
}

prometheus::MetricFamily SingleGauge(std::string name, std::string help, double value) {
  prometheus::MetricFamily family = GaugeFamily(std::move(name), std::move(help));
  family.metric.push_back(GaugeValue(value));
  return family;
}

}  // namespace

StatusOr<std::unique_ptr<DatabaseGauges>> DatabaseGauges::Open(const std::string& path,
                                                               const Clock& clock) {
  // A scrape must not hang on a lock: a short busy timeout (WAL readers rarely wait at all).
  auto db = Database::Open(path, {.busy_timeout = std::chrono::milliseconds(2000),
                                  .create = false,
                                  .read_only = true,
                                  .quick_check = false});
  if (!db.ok()) return db.status();
  return std::make_unique<DatabaseGauges>(std::move(db).value(), clock);
}

DatabaseGauges::DatabaseGauges(std::unique_ptr<Database> db, const Clock& clock)
    : db_(std::move(db)), clock_(clock) {}

StatusOr<StoreStats> DatabaseGauges::Read() const {
  std::lock_guard<std::mutex> lock(mu_);
  return DeclarationStore(*db_, clock_).Stats();
}

Status DatabaseGauges::CheckReadable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return db_->CheckReadable();
}

std::vector<prometheus::MetricFamily> DatabaseGauges::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  StatusOr<StoreStats> snap = Read();
  {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string error = snap.ok() ? "" : snap.status().message();
    if (error != last_error_) {
      if (!error.empty()) {
        spdlog::warn("metrics: cannot read the database: {}", error);
      } else {
        spdlog::info("metrics: the database is readable again");
      }
      last_error_ = error;
    }
  }
  families.push_back(SingleGauge("customsd_database_up",
                                 "1 when this scrape could read the database, else 0",
                                 snap.ok() ? 1 : 0));
  if (!snap.ok()) return families;

  std::map<std::pair<State, Phase>, int64_t> counts;
  for (State state : kStates) {
    for (Phase phase : kPhases) counts[{state, phase}] = 0;
  }
  for (const StoreStats::Count& c : snap->counts) counts[{c.state, c.phase}] += c.declarations;
  prometheus::MetricFamily declarations =
      GaugeFamily("customsd_declarations", "Declarations in the database, by state and phase");
  for (const auto& [key, n] : counts) {
    declarations.metric.push_back(
        GaugeValue(static_cast<double>(n), {{"state", std::string(ToString(key.first))},
                                            {"phase", std::string(ToString(key.second))}}));
  }
  families.push_back(std::move(declarations));

  double age_seconds = 0;
  if (snap->oldest_unfinished_created_at) {
    const int64_t age_ms = UnixMillis(clock_.Now()) - *snap->oldest_unfinished_created_at;
    age_seconds = age_ms > 0 ? static_cast<double>(age_ms) / 1000.0 : 0.0;
  }
  families.push_back(SingleGauge(
      "customsd_oldest_unfinished_declaration_age_seconds",
      "Age of the oldest declaration in submit, poll, modify or redeclare phase; 0 when none",
      age_seconds));
  families.push_back(SingleGauge("customsd_alerts_pending",
                                 "Alerts not delivered yet, apart from those held for the digest",
                                 static_cast<double>(snap->alerts_pending - snap->alerts_held)));
  families.push_back(SingleGauge("customsd_alerts_held",
                                 "Alerts the flood limit holds for the next daily digest",
                                 static_cast<double>(snap->alerts_held)));
  families.push_back(SingleGauge("customsd_alerts_delivered",
                                 "Alerts in the database that have been delivered",
                                 static_cast<double>(snap->alerts_delivered)));
  families.push_back(SingleGauge("customsd_notifications_undelivered",
                                 "Result notifications no [[notify]] receiver has taken yet",
                                 static_cast<double>(snap->notifications_undelivered)));
  families.push_back(SingleGauge("customsd_notify_receivers_failing",
                                 "[[notify]] receivers whose last delivery attempt failed",
                                 static_cast<double>(snap->notify_receivers_failing)));
  // Which receiver is behind: its url without the query (no secret rides in a label).
  prometheus::MetricFamily behind = GaugeFamily(
      "customsd_notify_undelivered", "Result notifications this [[notify]] receiver has not taken");
  prometheus::MetricFamily failing =
      GaugeFamily("customsd_notify_consecutive_failures",
                  "Failed delivery attempts to this [[notify]] receiver since its last success");
  for (const StoreStats::Receiver& r : snap->receivers) {
    behind.metric.push_back(
        GaugeValue(static_cast<double>(r.undelivered), {{"receiver", r.receiver}}));
    failing.metric.push_back(
        GaugeValue(static_cast<double>(r.failures), {{"receiver", r.receiver}}));
  }
  families.push_back(std::move(behind));
  families.push_back(std::move(failing));
  return families;
}

}  // namespace customsd
