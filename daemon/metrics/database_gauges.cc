#include "daemon/metrics/database_gauges.h"

#include <SQLiteCpp/Statement.h>
#include <spdlog/spdlog.h>

#include <array>
#include <map>
#include <utility>

namespace customsd {
namespace {

constexpr std::array<State, 6> kStates = {State::kUndeclared, State::kSubmitted, State::kProcessing,
                                          State::kSuccess,    State::kFail,      State::kExcept};
constexpr std::array<Phase, 7> kPhases = {Phase::kSubmit, Phase::kPoll,      Phase::kModify,
                                          Phase::kRedeclare, Phase::kDone,  Phase::kAttention,
                                          Phase::kCancelled};

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

StatusOr<DatabaseSnapshot> DatabaseGauges::Read() const {
  DatabaseSnapshot snap;
  std::lock_guard<std::mutex> lock(mu_);
  Status s = db_->Read([&](SQLite::Database& sql) {
    SQLite::Statement counts(
        sql, "SELECT state, phase, count(*) FROM declarations GROUP BY state, phase");
    while (counts.executeStep()) {
      auto state = ParseState(counts.getColumn(0).getString());
      auto phase = ParsePhase(counts.getColumn(1).getString());
      if (state && phase) snap.counts.push_back({*state, *phase, counts.getColumn(2).getInt64()});
    }
    // The phase list matches the partial index declarations_due: only unfinished rows are read.
    SQLite::Statement oldest(sql,
                             "SELECT min(created_at) FROM declarations "
                             "WHERE phase IN ('submit', 'poll', 'modify', 'redeclare')");
    if (oldest.executeStep() && !oldest.getColumn(0).isNull()) {
      snap.oldest_unfinished_created_at = oldest.getColumn(0).getInt64();
    }
    SQLite::Statement alerts(sql,
                             "SELECT coalesce(sum(delivered_at IS NULL AND NOT in_digest), 0), "
                             "coalesce(sum(delivered_at IS NOT NULL), 0), "
                             "coalesce(sum(delivered_at IS NULL AND in_digest), 0) FROM alerts");
    if (alerts.executeStep()) {
      snap.alerts_pending = alerts.getColumn(0).getInt64();
      snap.alerts_delivered = alerts.getColumn(1).getInt64();
      snap.alerts_held = alerts.getColumn(2).getInt64();
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return snap;
}

Status DatabaseGauges::CheckReadable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return db_->Read([](SQLite::Database& sql) {
    sql.execAndGet("SELECT count(*) FROM sqlite_schema");
    return Status::Ok();
  });
}

std::vector<prometheus::MetricFamily> DatabaseGauges::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  StatusOr<DatabaseSnapshot> snap = Read();
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
  for (const DatabaseSnapshot::Count& c : snap->counts)
    counts[{c.state, c.phase}] += c.declarations;
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
                                 static_cast<double>(snap->alerts_pending)));
  families.push_back(SingleGauge("customsd_alerts_held",
                                 "Alerts the flood limit holds for the next daily digest",
                                 static_cast<double>(snap->alerts_held)));
  families.push_back(SingleGauge("customsd_alerts_delivered",
                                 "Alerts in the database that have been delivered",
                                 static_cast<double>(snap->alerts_delivered)));
  return families;
}

}  // namespace customsd
