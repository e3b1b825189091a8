// The first answer to each Idempotency-Key the API was sent (table api_idempotency), so a
// client that repeats a request after a timeout gets the same answer, not a second effect.
//
// Contract: Find() returns the stored answer for `key`, if any, younger than kKeptFor. Save()
// keeps the first answer for a key (a second Save of the same key changes nothing) and deletes
// answers older than kKeptFor. Both return kIoError/kUnavailable as Database does.
// Thread safety: as the Database given.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/status.h"
#include "storage/database.h"

namespace customsd {

struct StoredAnswer {
  std::string request_sha256;
  int status = 0;
  std::string body;
};

inline constexpr std::chrono::hours kKeptFor{24};

StatusOr<std::optional<StoredAnswer>> FindIdempotentAnswer(Database& db, const std::string& key,
                                                           int64_t now_ms);
[[nodiscard]] Status SaveIdempotentAnswer(Database& db, const std::string& key,
                                          const StoredAnswer& answer, int64_t now_ms);

}  // namespace customsd
