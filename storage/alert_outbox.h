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
//  - An alert with in_digest set waits for the daily digest (alert_deliverer.h); it is pending
//    like any other, so Due returns it when its digest is due.
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

namespace SQLite {
class Statement;
}  // namespace SQLite

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
  bool in_digest = false;  // held back by the flood limit for the next digest
};

// The columns PendingAlertFrom reads, in this order, at the start of a SELECT from alerts.
inline constexpr char kPendingAlertColumns[] =
    "id, declaration_id, mchid, cause, dedupe_key, summary, details, created_at, attempts, "
    "next_attempt_at, last_error, in_digest";
constexpr int kPendingAlertColumnCount = 12;

// The row `q` is on, selected with kPendingAlertColumns first.
PendingAlert PendingAlertFrom(SQLite::Statement& q);

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

  // Holds a pending alert back for the digest due at `digest_at_ms`: in_digest = 1,
  // next_attempt_at = digest_at_ms, last_error = `note` (what an operator reads meanwhile).
  Status DeferToDigest(int64_t id, int64_t digest_at_ms, const std::string& note);

  // How many alerts sent one by one (not in a digest) were delivered at or after since_ms.
  StatusOr<int64_t> DeliveredAloneSince(int64_t since_ms);

  // For metrics and `customsd stats`.
  StatusOr<AlertCounts> Counts();

 private:
  Database& db_;
};

}  // namespace customsd
