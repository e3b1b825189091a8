// The alerts outbox. An alert is written in the same transaction as the change that caused it,
// and its dedupe_key makes "once per declaration and cause" a constraint: writing the same
// key again is a no-op.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "storage/database.h"

namespace customsd {

struct NewAlert {
  std::optional<int64_t> declaration_id;
  std::string mchid;
  std::string cause;       // "FAIL", "attention", "merchant_held", "certificate_expiry"
  std::string dedupe_key;  // e.g. "declaration:42:FAIL", "merchant:1230000109:SIGN_ERROR"
  std::string summary;     // one line for people: what, why, what to do
  std::string details;     // JSON
  int64_t created_at = 0;  // Unix ms
};

// Inserts unless an alert with the same dedupe_key exists. Returns true when inserted.
// Throws SQLite::Exception like the other *In helpers; call inside Database::Write.
bool InsertAlertIn(SQLite::Database& sql, const NewAlert& alert);

// The same as one transaction of its own through `writer` (a Database or a group writer); a
// key already open is ok, and writes nothing.
Status RaiseAlert(TransactionWriter& writer, const NewAlert& alert);

// Frees `dedupe_key` of its open alert (if any), so that the next alert with that key is raised
// again; the row itself stays, under a key its id keeps unique. One transaction.
Status CloseOpenAlert(TransactionWriter& writer, const std::string& dedupe_key);

}  // namespace customsd
