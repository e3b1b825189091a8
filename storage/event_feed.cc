#include "storage/event_feed.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <string>

#include "storage/declaration_rows.h"

namespace customsd {
namespace {

// The events with their declaration's key; a subquery, so the columns keep the names the
// store's row mapping (ReadEvent) reads.
std::string EventsWithKeys() {
  return std::string("SELECT ") + kEventColumns +
         ", mchid, out_trade_no, sub_order_no, customs FROM (SELECT e.*, d.mchid, "
         "d.out_trade_no, d.sub_order_no, d.customs FROM events e JOIN declarations d ON "
         "d.id = e.declaration_id) ";
}

KeyedEvent ReadEventWithKey(SQLite::Statement& q) {
  auto text = [&q](int column) {
    return q.getColumn(column).isNull() ? std::string() : q.getColumn(column).getString();
  };
  return {ReadEvent(q), {text(12), text(13), text(14), text(15)}};
}

}  // namespace

StatusOr<std::vector<KeyedEvent>> ReadEventFeed(Database& db, int64_t after_id, int limit) {
  std::vector<KeyedEvent> out;
  Status s = db.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(
        sql, EventsWithKeys() +
                 (after_id < 0 ? "ORDER BY id DESC LIMIT ?" : "WHERE id > ? ORDER BY id LIMIT ?"));
    int at = 1;
    if (after_id >= 0) q.bind(at++, after_id);
    q.bind(at, limit);
    while (q.executeStep()) out.push_back(ReadEventWithKey(q));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (after_id < 0) std::reverse(out.begin(), out.end());
  return out;
}

StatusOr<int64_t> LastEventId(Database& db) {
  int64_t id = 0;
  Status s = db.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql, "SELECT coalesce(max(id), 0) FROM events");
    if (q.executeStep()) id = q.getColumn(0).getInt64();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

}  // namespace customsd
