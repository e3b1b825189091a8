// AlertOutbox: the delivery side of the `alerts` table (storage/alert_store.h writes it).
//
// Contract
//  - An alert is pending while delivered_at IS NULL. Due(now) returns the pending alerts whose
//    next_attempt_at <= now, oldest (lowest id) first, at most `limit`, and only those with an
//    id above `after_id` (a cursor, so a caller paging through a backlog visits each alert once
//    even when a retry lands at once). The scan uses the partial index alerts_pending, so
//    delivered rows cost nothing however many there are.
//  - MarkDelivered and ScheduleRetry only touch a pending alert: on an alert that is delivered
//    or missing they change nothing and return kConflict, so a second deliverer racing on the
//    same file cannot undo the first one's work.
//  - Everything a retry needs (attempts, next_attempt_at, last_error) lives in the row, so
//    delivery survives restarts; nothing is kept in memory between calls.
//  - Times are Unix ms, like every time in the database.
//
// Thread safety: as Database (one connection, one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/database.h"

namespace customsd {

// One row of `alerts`, as read for delivery.
struct PendingAlert {
  int64_t id = 0;
  std::optional<int64_t> declaration_id;  // absent for merchant-wide alerts
  std::string mchid;                      // "" when NULL
  std::string cause;
  std::string dedupe_key;
  std::string summary;
  std::string details;  // JSON text as stored; "" when NULL
  int64_t created_at = 0;
  int attempts = 0;  // delivery attempts made so far
  int64_t next_attempt_at = 0;
  std::string last_error;  // "" when NULL
};

struct AlertCounts {
  int64_t pending = 0;
  int64_t delivered = 0;
};

class AlertOutbox {
 public:
  explicit AlertOutbox(Database& db) : db_(db) {}

  StatusOr<std::vector<PendingAlert>> Due(int64_t now_ms, int limit, int64_t after_id = 0);

  // delivered_at = now, attempts + 1, last_error cleared (it described failures now moot).
  Status MarkDelivered(int64_t id, int64_t now_ms);

  // Records a failed attempt: the new attempt count, when to try again, and why it failed.
  Status ScheduleRetry(int64_t id, int attempts, int64_t next_attempt_at,
                       const std::string& last_error);

  // For metrics and `customsd stats`.
  StatusOr<AlertCounts> Counts();

 private:
  Database& db_;
};

}  // namespace customsd
