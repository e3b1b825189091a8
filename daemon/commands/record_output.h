// How commands print declarations and events: aligned tables for people, JSON, JSON Lines or
// CSV for programs (daemon/commands/output_format.h).
// JSON records carry the declare request's field names (optional ones only when set) plus
// id, state, phase, WeChat's fields, attempts, errors and times (RFC 3339 UTC).
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "daemon/commands/output_format.h"
#include "storage/declaration_record.h"

namespace customsd {

nlohmann::json RecordToJson(const DeclarationRecord& r);
nlohmann::json EventToJson(const Event& e);

// Every key RecordToJson may write, in order: the CSV header of records.
const std::vector<std::string>& RecordColumns();

// `records` in `o`'s format: a table, a JSON array, JSON Lines or CSV of RecordToJson.
void PrintRecords(std::ostream& out, const OutputOptions& o,
                  const std::vector<DeclarationRecord>& records);
void PrintRecordTable(std::ostream& out, const std::vector<DeclarationRecord>& records,
                      const OutputOptions& o);
void PrintRecordDetail(std::ostream& out, const DeclarationRecord& r,
                       const std::vector<Event>& events, const OutputOptions& o);

}  // namespace customsd
