// A small RFC 4180 CSV reader: just enough for declaration files exported from spreadsheets and
// order systems.
//
// Contract:
// - Records end at LF or CRLF; the last record needs no line end. A lone CR is data.
// - Fields are separated by ','. A field that starts with '"' is quoted: it may hold ',', CR, LF
//   and '""' (one '"'); it must be followed by ',' or the end of the record.
// - No trimming, no type guessing: cells are the exact bytes (the caller checks UTF-8).
// - Empty physical lines are skipped (they are not records of one empty cell).
// - A record's line is the physical line (from 1) it starts on.
// - Errors do not stop the reader: a record with a stray quote is reported and skipped up to
//   the end of its physical line, and reading goes on. An unterminated quote is reported on the
//   line it opens and ends the reading (everything after it is inside the quote).
// - Never throws on any bytes (only std::bad_alloc can escape).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace customsd {

struct CsvRecord {
  int line = 0;
  std::vector<std::string> cells;
};

struct CsvError {
  int line = 0;
  std::string message;  // e.g. "unterminated quoted field in column 3"
};

struct CsvResult {
  std::vector<CsvRecord> records;
  std::vector<CsvError> errors;
};

CsvResult ReadCsv(std::string_view text);

}  // namespace customsd
