// How commands print declarations and events: aligned tables for people, JSON for programs.
// JSON records carry the declare request's field names (optional ones only when set) plus
// id, state, phase, WeChat's fields, attempts, errors and times (RFC 3339 UTC).
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "storage/declaration_record.h"

namespace customsd {

nlohmann::json RecordToJson(const DeclarationRecord& r);
nlohmann::json EventToJson(const Event& e);

void PrintRecordTable(std::ostream& out, const std::vector<DeclarationRecord>& records);
void PrintRecordDetail(std::ostream& out, const DeclarationRecord& r,
                       const std::vector<Event>& events);

// Columns padded to their widest cell, two spaces apart; the first row is the header.
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

}  // namespace customsd
