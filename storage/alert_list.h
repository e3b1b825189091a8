// The operator's side of the `alerts` table: listing alerts and acknowledging them
// (`customsd alerts`). Delivery (storage/alert_outbox.h) goes on regardless of an
// acknowledgement; acknowledging only takes an alert off the open list, and says who and when.
//
// Contract
//  - ListAlerts returns the alerts matching the filter, newest (highest id) first. Paging is by
//    key: before_id lists the alerts older than that id, so a page does not shift while the
//    daemon raises new ones.
//  - AcknowledgeAlerts is all or nothing: when an id does not exist it returns kNotFound naming
//    it and acknowledges none. An alert acknowledged before keeps its first acknowledgement (who
//    saw it first is what an incident review wants) and is reported as such.
//  - AcknowledgeMatching acknowledges every open alert the filter matches (its limit and
//    before_id ignored) in one transaction, and returns their ids.
//  - Times are Unix ms, like every time in the database.
//
// Thread safety: as Database (one connection, one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/alert_outbox.h"
#include "storage/database.h"

namespace customsd {

// One row of `alerts`, as an operator reads it: what delivery reads, and whether and by whom
// it was delivered and acknowledged.
struct AlertRecord : PendingAlert {
  std::optional<int64_t> delivered_at;
  std::optional<int64_t> acknowledged_at;
  std::string acknowledged_by;  // "" when NULL
};

struct AlertFilter {
  bool include_acknowledged = false;  // false: open alerts only
  std::string cause;                  // "" = any
  std::string mchid;                  // "" = any
  std::optional<int64_t> declaration_id;
  std::optional<int64_t> created_since;  // created_at >= this
  std::optional<int64_t> created_until;  // created_at < this
  std::optional<int64_t> before_id;      // id < this (the next page)
  int limit = 0;                         // 0 = no limit
};

StatusOr<std::vector<AlertRecord>> ListAlerts(Database& db, const AlertFilter& filter);

struct AckResult {
  std::vector<int64_t> acknowledged;  // acknowledged now
  std::vector<AlertRecord> earlier;   // acknowledged before, left as they were
};

StatusOr<AckResult> AcknowledgeAlerts(Database& db, const std::vector<int64_t>& ids,
                                      const std::string& by, int64_t now_ms);

StatusOr<std::vector<int64_t>> AcknowledgeMatching(Database& db, const AlertFilter& filter,
                                                   const std::string& by, int64_t now_ms);

}  // namespace customsd
