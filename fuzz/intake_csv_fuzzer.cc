// Fuzz target: `customsd declare` intake of CSV (ParseDeclarations, IntakeFormat::kCsv) and the
// RFC 4180 reader under it (ReadCsv).
//
// Each input is the file handed to `declare --file`. ReadCsv must report records and errors on
// lines that exist, in order, and its records, re-quoted, must read back cell for cell.
// ParseDeclarations runs with no options and with a one-merchant config; every result must keep
// the promises of daemon/intake/intake.h (fuzz/intake_checks.h), and accepted records must survive a
// round trip through both formats.
#include <cstddef>
#include <cstdint>

#include "daemon/intake/csv_reader.h"
#include "fuzz/intake_checks.h"

namespace {

using namespace customsd;
using namespace customsd::fuzz;

void CheckReader(std::string_view text) {
  const CsvResult csv = ReadCsv(text);
  const int lines = PhysicalLines(text);
  int previous = 0;
  for (const CsvRecord& rec : csv.records) {
    FUZZ_REQUIRE(rec.line >= 1 && rec.line <= lines, "a CSV record starts on no line of the input");
    FUZZ_REQUIRE(rec.line > previous, "CSV records do not start on increasing lines");
    previous = rec.line;
    FUZZ_REQUIRE(!rec.cells.empty(), "a CSV record without cells");
  }
  for (const CsvError& e : csv.errors) {
    FUZZ_REQUIRE(e.line >= 1 && e.line <= lines, "a CSV error on no line of the input");
    FUZZ_REQUIRE(IsSafeMessageText(e.message), "a CSV error message is not safe text");
  }
  // Every record again, each cell quoted: the same cells, and no error.
  std::string again;
  for (const CsvRecord& rec : csv.records) {
    for (size_t i = 0; i < rec.cells.size(); ++i) {
      again += (i ? "," : "") + QuoteCsvCell(rec.cells[i]);
    }
    again += "\n";
  }
  const CsvResult back = ReadCsv(again);
  FUZZ_REQUIRE(back.errors.empty(), "re-quoted CSV records do not read back");
  FUZZ_REQUIRE(back.records.size() == csv.records.size(), "re-quoted CSV: record count differs");
  for (size_t i = 0; i < csv.records.size(); ++i) {
    FUZZ_REQUIRE(back.records[i].cells == csv.records[i].cells, "re-quoted CSV: cells differ");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = AsText(data, size);
  CheckReader(text);
  for (const IntakeOptions& options :
       {PlainOptions(IntakeFormat::kCsv), OneMerchantOptions(IntakeFormat::kCsv)}) {
    const IntakeResult r = ParseDeclarations(text, options);
    CheckIntakeResult(text, options, r);
    CheckRoundTrip(options, r);
  }
  const IntakeOptions automatic = OneMerchantOptions(IntakeFormat::kAuto);
  CheckIntakeResult(text, automatic, ParseDeclarations(text, automatic));
  return 0;
}
