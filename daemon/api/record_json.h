// A declaration and its events as JSON: what `--json` prints and what the API answers, so a
// program reads the same record whichever way it asks.
//
// A record carries the declare request's field names (the optional ones only when set), then
// id, state, phase, WeChat's fields, attempts, errors and times (RFC 3339 UTC); absent text is
// null, never "". daemon/api/openapi.json describes both shapes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/alert_list.h"
#include "storage/declaration_record.h"
#include "storage/notification_feed.h"

namespace customsd {

nlohmann::json RecordToJson(const DeclarationRecord& r);
nlohmann::json EventToJson(const Event& e);
// What `customsd alerts --json` prints for each alert, and a declaration's page shows.
nlohmann::json AlertToJson(const AlertRecord& a);
// {event_id, type, at, delivered_to, pending_for}: one notification of a declaration.
nlohmann::json NotificationToJson(const DeclarationNotification& n);

// Every key RecordToJson may write, in order: the CSV header of records.
const std::vector<std::string>& RecordColumns();

}  // namespace customsd
