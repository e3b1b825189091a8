// The events of every declaration in id order, with their declaration's key: what `customsd
// watch` follows.
#pragma once

#include <cstdint>
#include <vector>

#include "common/declaration.h"
#include "common/status.h"
#include "storage/database.h"
#include "storage/declaration_record.h"

namespace customsd {

// An event with the key of its declaration.
struct KeyedEvent {
  Event event;
  DeclarationKey key;
};

// Events with id > after_id, oldest first, at most `limit`; or with after_id < 0 the last
// `limit` events, oldest first. One read transaction.
StatusOr<std::vector<KeyedEvent>> ReadEventFeed(Database& db, int64_t after_id, int limit);

// The id of the newest event; 0 when there is none.
StatusOr<int64_t> LastEventId(Database& db);

}  // namespace customsd
