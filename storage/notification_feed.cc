#include "storage/notification_feed.h"

#include <SQLiteCpp/Statement.h>

namespace customsd {

StatusOr<std::vector<Notification>> ReadNotifications(Database& db, int64_t after, int limit) {
  std::vector<Notification> out;
  Status s = db.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "SELECT event_id, declaration_id, at, type FROM notifications "
                        "WHERE event_id > ? ORDER BY event_id LIMIT ?");
    q.bind(1, after);
    q.bind(2, limit > 0 ? limit : -1);
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                     q.getColumn(2).getInt64(), q.getColumn(3).getString()});
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<std::vector<DeclarationNotification>> NotificationsOf(Database& db,
                                                               int64_t declaration_id) {
  std::vector<DeclarationNotification> out;
  Status s = db.Read([&](SQLite::Database& sql) {
    // A handful of events per declaration and of receivers: the cross join stays small.
    SQLite::Statement q(sql,
                        "SELECT n.event_id, n.at, n.type, c.receiver, "
                        "c.delivered_event_id >= n.event_id FROM notifications n "
                        "LEFT JOIN notify_cursors c WHERE n.declaration_id = ? "
                        "ORDER BY n.event_id, c.receiver");
    q.bind(1, declaration_id);
    while (q.executeStep()) {
      const int64_t event_id = q.getColumn(0).getInt64();
      if (out.empty() || out.back().notification.event_id != event_id) {
        out.push_back(
            {{event_id, declaration_id, q.getColumn(1).getInt64(), q.getColumn(2).getString()},
             {},
             {}});
      }
      if (q.getColumn(3).isNull()) continue;
      (q.getColumn(4).getInt() != 0 ? out.back().delivered_to : out.back().pending_for)
          .push_back(q.getColumn(3).getString());
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<NotifyCursor> OpenCursor(Database& db, const std::string& receiver) {
  NotifyCursor c;
  c.receiver = receiver;
  Status s = db.Write([&](SQLite::Database& sql) {
    SQLite::Statement ins(sql,
                          "INSERT OR IGNORE INTO notify_cursors (receiver, delivered_event_id) "
                          "SELECT ?, coalesce(max(id), 0) FROM events");
    ins.bind(1, receiver);
    ins.exec();
    SQLite::Statement q(sql,
                        "SELECT delivered_event_id, failures, next_attempt_at, "
                        "coalesce(last_error, '') FROM notify_cursors WHERE receiver = ?");
    q.bind(1, receiver);
    if (q.executeStep()) {
      c.delivered_event_id = q.getColumn(0).getInt64();
      c.failures = q.getColumn(1).getInt();
      c.next_attempt_at = q.getColumn(2).getInt64();
      c.last_error = q.getColumn(3).getString();
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return c;
}

Status MarkDelivered(Database& db, const std::string& receiver, int64_t event_id) {
  return db.Write([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "UPDATE notify_cursors SET delivered_event_id = max(delivered_event_id, "
                        "?), failures = 0, next_attempt_at = 0, last_error = NULL "
                        "WHERE receiver = ?");
    q.bind(1, event_id);
    q.bind(2, receiver);
    q.exec();
    return Status::Ok();
  });
}

Status MarkFailed(Database& db, const std::string& receiver, int failures, int64_t next_attempt_at,
                  const std::string& error) {
  return db.Write([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "UPDATE notify_cursors SET failures = ?, next_attempt_at = ?, "
                        "last_error = ? WHERE receiver = ?");
    q.bind(1, failures);
    q.bind(2, next_attempt_at);
    q.bind(3, error);
    q.bind(4, receiver);
    q.exec();
    return Status::Ok();
  });
}

StatusOr<int64_t> CountUndelivered(Database& db, const std::string& receiver) {
  int64_t n = 0;
  Status s = db.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "SELECT count(*) FROM notifications WHERE event_id > coalesce("
                        "(SELECT delivered_event_id FROM notify_cursors WHERE receiver = ?), "
                        "(SELECT coalesce(max(id), 0) FROM events))");
    q.bind(1, receiver);
    if (q.executeStep()) n = q.getColumn(0).getInt64();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

}  // namespace customsd
