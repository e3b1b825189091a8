// How commands print what they found, chosen once for the whole command line:
//   -o table   aligned columns for people (the default); times in UTC, or in the operator's zone
//              with --local ("2026-12-05T20:01:02+08:00")
//   -o json    one JSON document (an array for lists), indented
//   -o jsonl   one compact JSON object per line (JSON Lines), for jq and log shippers
//   -o csv     RFC 4180: a header row of field names, fields quoted when they hold a comma, quote
//              or line break
// --json is short for -o json. JSON, JSON Lines and CSV always carry UTC RFC 3339 times, so
// what a program reads does not depend on the operator's zone.
//
// Column widths count display cells, not bytes: CJK characters take two cells, combining marks
// none, so tables with Chinese customs names or explanations stay aligned.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace customsd {

enum class OutputFormat { kTable, kJson, kJsonl, kCsv };

// "table", "json", "jsonl", "csv"; nullopt for anything else.
std::optional<OutputFormat> ParseOutputFormat(std::string_view name);

struct OutputOptions {
  OutputFormat format = OutputFormat::kTable;
  bool local_time = false;  // --local: tables show times in the TZ / system zone

  bool table() const { return format == OutputFormat::kTable; }
  // A time as tables show it: RFC 3339 in UTC, or with the local offset under --local.
  std::string Time(int64_t unix_ms) const;
};

// Cells of the terminal `text` (UTF-8) takes: East Asian wide and fullwidth characters 2,
// combining marks 0, everything else 1. Bytes that are not valid UTF-8 count 1 each.
size_t DisplayWidth(std::string_view text);

// Columns padded to their widest cell (display width), two spaces apart; the first row is the
// header.
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

// `items` as a JSON array (kJson), JSON Lines (kJsonl), or CSV (kCsv) with `columns` as the
// header: each row takes those keys of the object (strings as they are, null as empty, other
// values as JSON text). Not for kTable.
void PrintItems(std::ostream& out, OutputFormat format, const std::vector<nlohmann::json>& items,
                const std::vector<std::string>& columns);

// One CSV field, quoted when needed (RFC 4180).
std::string CsvField(std::string_view text);

}  // namespace customsd
