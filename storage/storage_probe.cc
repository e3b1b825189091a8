#include "storage/storage_probe.h"

#include <SQLiteCpp/Statement.h>

namespace customsd {

Status ProbeWrite(TransactionWriter& db, int64_t now_ms) {
  return db.Write([&](SQLite::Database& sql) {
    SQLite::Statement q(sql, "UPDATE storage_probe SET written_at = ? WHERE id = 1");
    q.bind(1, now_ms);
    if (q.exec() == 1) return Status::Ok();
    return Status::Internal("the storage_probe row is missing (was it deleted by hand?)");
  });
}

}  // namespace customsd
