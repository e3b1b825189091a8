// The result notifications (view `notifications` over the events table, migration 0008) and
// each receiver's cursor (table notify_cursors): what the notification deliverer and
// `customsd events` read.
//
// Contract:
//  - ReadNotifications returns those with event_id > `after`, in event order, at most `limit`
//    (every one when `limit` is 0).
//  - OpenCursor returns the receiver's cursor, creating it at the newest event when there is
//    none (a new receiver is sent what happens from then on).
//  - Delivered/Failed update the cursor in one write; Delivered never moves it backwards.
//  - NotificationsOf returns one declaration's, in event order, each with the receivers whose
//    cursor has passed it (delivered) and those whose cursor has not.
//  - Errors are Database's (kIoError, kUnavailable); nothing throws.
// Thread safety: as the Database given.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/database.h"

namespace customsd {

struct Notification {
  int64_t event_id = 0;
  int64_t declaration_id = 0;
  int64_t at = 0;    // Unix ms
  std::string type;  // "declaration.succeeded", ...
};

struct NotifyCursor {
  std::string receiver;
  int64_t delivered_event_id = 0;
  int failures = 0;
  int64_t next_attempt_at = 0;
  std::string last_error;
};

StatusOr<std::vector<Notification>> ReadNotifications(Database& db, int64_t after, int limit);

struct DeclarationNotification {
  Notification notification;
  std::vector<std::string> delivered_to, pending_for;  // receivers, by name
};
StatusOr<std::vector<DeclarationNotification>> NotificationsOf(Database& db,
                                                               int64_t declaration_id);

StatusOr<NotifyCursor> OpenCursor(Database& db, const std::string& receiver);
[[nodiscard]] Status MarkDelivered(Database& db, const std::string& receiver, int64_t event_id);
[[nodiscard]] Status MarkFailed(Database& db, const std::string& receiver, int failures,
                                int64_t next_attempt_at, const std::string& error);

// Notifications past the receiver's cursor: what /metrics shows as undelivered.
StatusOr<int64_t> CountUndelivered(Database& db, const std::string& receiver);

}  // namespace customsd
