// DatabaseGauges: what the database says, read when Prometheus scrapes (not kept in memory),
// so the numbers are right across restarts and include what other processes (customsd
// declare, an operator with sqlite3) changed.
//
// Families:
//   customsd_declarations{state,phase}                        gauge: every state x phase pair,
//                                                             0 when none (36 series)
//   customsd_oldest_unfinished_declaration_age_seconds        gauge: now - created_at of the
//                                                             oldest declaration in submit, poll,
//                                                             modify or redeclare; 0 when none
//   customsd_alerts_pending                                   gauge: alerts not delivered yet
//                                                             (not counting those held)
//   customsd_alerts_held                                      gauge: held for the daily digest
//   customsd_alerts_delivered                                 gauge: alerts delivered so far
//   customsd_notifications_undelivered                        gauge: past every receiver's
//                                                             cursor, summed
//   customsd_notify_receivers_failing                         gauge: receivers whose last
//                                                             attempt failed
//   customsd_notify_undelivered{receiver}                     gauge: one receiver's backlog
//   customsd_notify_consecutive_failures{receiver}            gauge: its failures since its
//                                                             last 2xx (receiver: the url's
//                                                             scheme, host and path, no query)
//   customsd_database_up                                      gauge: 1 when this scrape's read
//                                                             worked, else 0 and nothing above
//
// Contract:
//  - One read transaction per scrape (one consistent snapshot), on this object's own
//    connection, so scrapes never wait for the workflow's connections and vice versa (WAL).
//  - A failed read is never an exception: Collect() returns customsd_database_up 0 and logs a
//    warning (once per distinct message, so a scrape every 15 s does not flood the journal).
//  - "now" comes from the Clock, so tests can fix it.
//
// Thread safety: Collect() and CheckReadable() may be called from several threads at once;
// they take turns on the connection.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/declaration_state.h"
#include "common/status.h"
#include "storage/database.h"
#include "storage/declaration_store.h"

namespace customsd {

class DatabaseGauges final : public prometheus::Collectable {
 public:
  // Opens its own read-only connection to the database at `path` (which must exist and be
  // migrated; no quick_check, the daemon did that at start).
  static StatusOr<std::unique_ptr<DatabaseGauges>> Open(const std::string& path,
                                                        const Clock& clock);
  // Uses `db`, which nobody else may use from now on.
  DatabaseGauges(std::unique_ptr<Database> db, const Clock& clock);

  // The numbers, or the database's error.
  StatusOr<StoreStats> Read() const;
  // Ok when the database answers a read now: for /healthz.
  Status CheckReadable() const;

  // The families above (prometheus::Collectable).
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  mutable std::mutex mu_;
  std::unique_ptr<Database> db_;  // guarded by mu_
  const Clock& clock_;
  mutable std::string last_error_;  // guarded by mu_; the last warning logged
};

}  // namespace customsd
