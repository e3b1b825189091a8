#include "storage/idempotency_store.h"

#include <SQLiteCpp/Statement.h>

namespace customsd {
namespace {

constexpr int64_t kKeptForMs = std::chrono::milliseconds(kKeptFor).count();

}  // namespace

StatusOr<std::optional<StoredAnswer>> FindIdempotentAnswer(Database& db, const std::string& key,
                                                           int64_t now_ms) {
  std::optional<StoredAnswer> found;
  Status s = db.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "SELECT request_sha256, status, body FROM api_idempotency "
                        "WHERE idempotency_key = ? AND created_at >= ?");
    q.bind(1, key);
    q.bind(2, now_ms - kKeptForMs);
    if (q.executeStep()) {
      found = StoredAnswer{q.getColumn(0).getString(), q.getColumn(1).getInt(),
                           q.getColumn(2).getString()};
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return found;
}

Status SaveIdempotentAnswer(Database& db, const std::string& key, const StoredAnswer& answer,
                            int64_t now_ms) {
  return db.Write([&](SQLite::Database& sql) {
    SQLite::Statement purge(sql, "DELETE FROM api_idempotency WHERE created_at < ?");
    purge.bind(1, now_ms - kKeptForMs);
    purge.exec();
    SQLite::Statement ins(sql,
                          "INSERT OR IGNORE INTO api_idempotency (idempotency_key, "
                          "request_sha256, status, body, created_at) VALUES (?, ?, ?, ?, ?)");
    ins.bind(1, key);
    ins.bind(2, answer.request_sha256);
    ins.bind(3, answer.status);
    ins.bind(4, answer.body);
    ins.bind(5, now_ms);
    ins.exec();
    return Status::Ok();
  });
}

}  // namespace customsd
