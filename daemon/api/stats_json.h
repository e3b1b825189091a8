// The store's counts as JSON: what `customsd stats --json` prints and GET /v1/stats answers
// (the console's overview), so the two never disagree on a name or a number.
//
//   total, by_state {STATE: n}, by_phase {phase: n}, by_state_phase [{state, phase, count}],
//   by_merchant_customs [{mchid, customs, state, phase, count}],
//   oldest_unfinished_created_at (RFC 3339 or null), oldest_unfinished_age_seconds (or null),
//   alerts_pending, notifications_undelivered, notify_receivers_failing,
//   notify_receivers [{receiver, undelivered, failures}]
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "storage/declaration_store.h"

namespace customsd {

nlohmann::json StatsToJson(const StoreStats& stats, int64_t now_ms);

}  // namespace customsd
