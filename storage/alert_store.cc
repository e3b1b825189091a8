#include "storage/alert_store.h"

#include <SQLiteCpp/Statement.h>

namespace customsd {

bool InsertAlertIn(SQLite::Database& sql, const NewAlert& a) {
  SQLite::Statement q(sql,
                      "INSERT OR IGNORE INTO alerts (declaration_id, mchid, cause, dedupe_key, "
                      "summary, details, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (a.declaration_id) {
    q.bind(1, *a.declaration_id);
  } else {
    q.bind(1);
  }
  q.bind(2, a.mchid);
  q.bind(3, a.cause);
  q.bind(4, a.dedupe_key);
  q.bind(5, a.summary);
  q.bind(6, a.details);
  q.bind(7, a.created_at);
  q.bind(8, a.created_at);
  return q.exec() == 1;
}

Status RaiseAlert(TransactionWriter& writer, const NewAlert& alert) {
  return writer.Write([&](SQLite::Database& sql) {
    InsertAlertIn(sql, alert);
    return Status::Ok();
  });
}

Status CloseOpenAlert(TransactionWriter& writer, const std::string& dedupe_key) {
  return writer.Write([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "UPDATE alerts SET dedupe_key = dedupe_key || ':lifted:' || id "
                        "WHERE dedupe_key = ?");
    q.bind(1, dedupe_key);
    q.exec();
    return Status::Ok();
  });
}

}  // namespace customsd
