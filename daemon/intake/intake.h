// Intake: turns the text handed to `customsd declare --file` (JSON Lines or CSV) into validated
// declarations, or into the complete list of what is wrong with it.
//
// Contract:
// - Formats. JSON Lines: one object per line, keys = API field names, blank lines skipped.
//   CSV: a header row of API field names in any order (spaces around a name are ignored), then
//   one declaration per record; empty lines and rows of empty cells (",,,") are skipped. Cells
//   are taken as they are, never trimmed: a stray space is reported, not guessed away.
//   kAuto picks JSON Lines when the first non-blank byte is '{', else CSV. A leading UTF-8 BOM
//   is ignored in both.
// - Values. String fields must be JSON strings, fees JSON integers (fen); null, an empty JSON
//   string and an empty CSV cell all mean "absent". Unknown fields or columns are errors.
// - Lines are physical lines counted from 1; a CSV record is reported on the line it starts on.
// - Every problem is reported: every field of every record, every record of the input; a
//   record's problems come in field order. Only records without errors land in `records`;
//   callers store nothing unless `errors` is empty (declare is all-or-nothing).
// - Defaults for mchid and appid fill empty fields before validation. With allowed_mchids set,
//   any other mchid is an error.
// - Duplicate keys (mchid, out_trade_no, sub_order_no, customs) are an error on the later line.
// - CSV header problems (unknown, duplicate, unnamed or missing columns) are reported on line 1
//   and stop there: every row would only repeat them.
// - No record at all (empty input, blank lines, a header alone) is the error
//   "input: no declarations found".
// - Messages never echo values that may hold control characters or invalid UTF-8.
// - Never throws, whatever the bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/declaration.h"

namespace customsd {

enum class IntakeFormat { kAuto, kJsonLines, kCsv };

struct IntakeOptions {
  IntakeFormat format = IntakeFormat::kAuto;
  std::string default_mchid, default_appid;  // filled in when a record omits them
  std::vector<std::string> allowed_mchids;   // non-empty: a record's mchid must be one of these
};

struct IntakeRecord {
  int line = 0;
  DeclarationFields fields;
};

struct IntakeProblem {
  int line = 0;       // 0: the input as a whole
  std::string field;  // "" when no single field is at fault
  std::string message;

  // "line 4: transaction_id: must be 1 to 32 digits"; line 0 => "input: ..."; no field =>
  // "line 4: duplicate of line 3 (...)".
  std::string ToString() const;
};

struct IntakeResult {
  std::vector<IntakeRecord> records;
  std::vector<IntakeProblem> errors, warnings;
};

IntakeResult ParseDeclarations(std::string_view text, const IntakeOptions& options);

}  // namespace customsd
