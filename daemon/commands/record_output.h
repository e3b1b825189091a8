// How commands print declarations and events: aligned tables for people, JSON, JSON Lines or
// CSV for programs (daemon/commands/output_format.h).
// The JSON of a record is daemon/api/record_json.h's, the same the API answers.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/api/record_json.h"
#include "daemon/commands/output_format.h"
#include "storage/declaration_record.h"

namespace customsd {

// `records` in `o`'s format: a table, a JSON array, JSON Lines or CSV of RecordToJson.
void PrintRecords(std::ostream& out, const OutputOptions& o,
                  const std::vector<DeclarationRecord>& records);
void PrintRecordTable(std::ostream& out, const std::vector<DeclarationRecord>& records,
                      const OutputOptions& o);
void PrintRecordDetail(std::ostream& out, const DeclarationRecord& r,
                       const std::vector<Event>& events, const OutputOptions& o);

}  // namespace customsd
