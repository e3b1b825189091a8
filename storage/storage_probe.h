// The write that proves the database takes writes (the `storage_probe` table): a transaction
// that changes one row, committed and synced like any state change. Used at start-up, by
// `customsd check`, and by the engine while the database is in trouble (StorageHealth).
#pragma once

#include <cstdint>

#include "common/status.h"
#include "storage/database.h"

namespace customsd {

// Ok when the write committed; otherwise the database's error (kIoError for a full disk or a
// read-only file, kUnavailable for a lock held past the busy timeout).
Status ProbeWrite(TransactionWriter& db, int64_t now_ms);

}  // namespace customsd
