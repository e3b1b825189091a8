#include "storage/alert_outbox.h"

#include <SQLiteCpp/Statement.h>

namespace customsd {
namespace {

std::string TextOrEmpty(const SQLite::Column& c) { return c.isNull() ? "" : c.getString(); }

Status ExpectOneRow(int changed, int64_t id) {
  if (changed == 1) return Status::Ok();
  return Status::Conflict("alert " + std::to_string(id) + " is not pending");
}

}  // namespace

PendingAlert PendingAlertFrom(SQLite::Statement& q) {
  PendingAlert a;
    a.id = q.getColumn(0).getInt64();
    if (!q.getColumn(1).isNull()) a.declaration_id = q.getColumn(1).getInt64();
    a.mchid = TextOrEmpty(q.getColumn(2));
    a.cause = q.getColumn(3).getString();
    a.dedupe_key = q.getColumn(4).getString();
    a.summary = q.getColumn(5).getString();
    a.details = TextOrEmpty(q.getColumn(6));
    a.created_at = q.getColumn(7).getInt64();
    a.attempts = q.getColumn(8).getInt();
    a.next_attempt_at = q.getColumn(9).getInt64();
    a.last_error = TextOrEmpty(q.getColumn(10));
    a.in_digest = q.getColumn(11).getInt() != 0;
  return a;
}

StatusOr<std::vector<PendingAlert>> AlertOutbox::Due(int64_t now_ms, int limit, int64_t after_id) {
  std::vector<PendingAlert> out;
  Status s = db_.Read([&](SQLite::Database& sql) {
    // "delivered_at IS NULL" matches the partial index alerts_pending.
    SQLite::Statement q(sql, std::string("SELECT ") + kPendingAlertColumns +
                                 " FROM alerts WHERE delivered_at IS NULL AND "
                                 "next_attempt_at <= ? AND id > ? ORDER BY id LIMIT ?");
    q.bind(1, now_ms);
    q.bind(2, after_id);
    q.bind(3, limit);
    while (q.executeStep()) out.push_back(PendingAlertFrom(q));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Status AlertOutbox::MarkDelivered(int64_t id, int64_t now_ms) {
  return db_.Write([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "UPDATE alerts SET delivered_at = ?, attempts = attempts + 1, "
                        "last_error = NULL WHERE id = ? AND delivered_at IS NULL");
    q.bind(1, now_ms);
    q.bind(2, id);
    return ExpectOneRow(q.exec(), id);
  });
}

Status AlertOutbox::ScheduleRetry(int64_t id, int attempts, int64_t next_attempt_at,
                                  const std::string& last_error) {
  return db_.Write([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "UPDATE alerts SET attempts = ?, next_attempt_at = ?, last_error = ? "
                        "WHERE id = ? AND delivered_at IS NULL");
    q.bind(1, attempts);
    q.bind(2, next_attempt_at);
    q.bind(3, last_error);
    q.bind(4, id);
    return ExpectOneRow(q.exec(), id);
  });
}

Status AlertOutbox::DeferToDigest(int64_t id, int64_t digest_at_ms, const std::string& note) {
  return db_.Write([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "UPDATE alerts SET in_digest = 1, next_attempt_at = ?, last_error = ? "
                        "WHERE id = ? AND delivered_at IS NULL");
    q.bind(1, digest_at_ms);
    q.bind(2, note);
    q.bind(3, id);
    return ExpectOneRow(q.exec(), id);
  });
}

StatusOr<int64_t> AlertOutbox::DeliveredAloneSince(int64_t since_ms) {
  int64_t count = 0;
  Status s = db_.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "SELECT count(*) FROM alerts WHERE delivered_at >= ? AND in_digest = 0");
    q.bind(1, since_ms);
    if (q.executeStep()) count = q.getColumn(0).getInt64();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return count;
}

StatusOr<AlertCounts> AlertOutbox::Counts() {
  AlertCounts counts;
  Status s = db_.Read([&](SQLite::Database& sql) {
    // count(column) skips NULLs, so one scan gives both numbers (and 0, not NULL, when empty).
    SQLite::Statement q(sql,
                        "SELECT count(*) - count(delivered_at), count(delivered_at) FROM alerts");
    if (q.executeStep()) {
      counts.pending = q.getColumn(0).getInt64();
      counts.delivered = q.getColumn(1).getInt64();
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return counts;
}

}  // namespace customsd
