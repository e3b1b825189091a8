// What every ParseDeclarations result must satisfy, whatever the bytes (see daemon/intake/intake.h),
// shared by the JSON Lines and CSV fuzz targets.
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "daemon/intake/field_checks.h"
#include "daemon/intake/intake.h"
#include "fuzz/fuzz_support.h"

namespace customsd::fuzz {

inline int PhysicalLines(std::string_view text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
}

inline void CheckProblems(const std::vector<IntakeProblem>& problems, int lines) {
  int previous = 0;
  for (const IntakeProblem& p : problems) {
    FUZZ_REQUIRE(p.line >= 0 && p.line <= lines, "a problem names a line outside the input");
    FUZZ_REQUIRE(p.line >= previous, "problems are not in line order");
    previous = p.line;
    FUZZ_REQUIRE(!p.message.empty(), "a problem without a message");
    FUZZ_REQUIRE(IsSafeMessageText(p.field), "a problem's field holds control bytes or bad UTF-8");
    FUZZ_REQUIRE(IsSafeMessageText(p.message),
                 "a message echoes control characters or invalid UTF-8");
    FUZZ_REQUIRE(IsSafeMessageText(p.ToString()), "ToString() is not safe text");
  }
}

// The invariants of one result; `text` is what was parsed (after the caller's choices).
inline void CheckIntakeResult(std::string_view text, const IntakeOptions& options,
                              const IntakeResult& r) {
  const int lines = PhysicalLines(text);
  for (const IntakeProblem& e : r.errors) {
    // ParseDeclarations turns any exception into this message, meant for out-of-memory only:
    // with fuzz-sized input it means something threw that must not.
    FUZZ_REQUIRE(e.message.find("could not read the declarations") == std::string::npos,
                 "ParseDeclarations caught an exception on a small input");
  }
  CheckProblems(r.errors, lines);
  CheckProblems(r.warnings, lines);
  FUZZ_REQUIRE(!r.errors.empty() || !r.records.empty(),
               "no records and no errors (\"no declarations found\" expected)");

  std::set<DeclarationKey> keys;
  int previous_line = 0;
  for (const IntakeRecord& rec : r.records) {
    FUZZ_REQUIRE(rec.line >= 1 && rec.line <= lines, "a record names a line outside the input");
    FUZZ_REQUIRE(rec.line > previous_line, "records are not in input order");
    previous_line = rec.line;
    FUZZ_REQUIRE(ValidateDeclaration(rec.fields).empty(), "an accepted record does not validate");
    FUZZ_REQUIRE(keys.insert(KeyOf(rec.fields)).second, "two accepted records share a key");
    if (!options.allowed_mchids.empty()) {
      FUZZ_REQUIRE(std::find(options.allowed_mchids.begin(), options.allowed_mchids.end(),
                             rec.fields.mchid) != options.allowed_mchids.end(),
                   "a record's mchid is not one of allowed_mchids");
    }
    for (const IntakeProblem& e : r.errors) {
      FUZZ_REQUIRE(e.line != rec.line, "a record was accepted on a line that has errors");
    }
  }
}

// The accepted records written back as JSON Lines, one object per record, fields in API order.
inline std::string RecordsAsJsonLines(const std::vector<IntakeRecord>& records) {
  std::string out;
  for (const IntakeRecord& rec : records) {
    nlohmann::ordered_json j;
    for (const FieldSpec& spec : kDeclarationFields) {
      const DeclarationFields& f = rec.fields;
      if (spec.text && !(f.*spec.text).empty()) j[std::string(spec.name)] = f.*spec.text;
      if (spec.optional_text && f.*spec.optional_text) {
        j[std::string(spec.name)] = *(f.*spec.optional_text);
      }
      if (spec.fen && f.*spec.fen) j[std::string(spec.name)] = *(f.*spec.fen);
    }
    out += j.dump() + "\n";
  }
  return out;
}

inline std::string QuoteCsvCell(std::string_view cell) {
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The accepted records written back as CSV: a header of every column, then one row each.
inline std::string RecordsAsCsv(const std::vector<IntakeRecord>& records) {
  std::string out;
  for (size_t i = 0; i < kDeclarationFields.size(); ++i) {
    out += (i ? "," : "") + std::string(kDeclarationFields[i].name);
  }
  out += "\r\n";
  for (const IntakeRecord& rec : records) {
    const DeclarationFields& f = rec.fields;
    for (size_t i = 0; i < kDeclarationFields.size(); ++i) {
      const FieldSpec& spec = kDeclarationFields[i];
      if (i) out += ",";
      if (spec.text) out += QuoteCsvCell(f.*spec.text);
      if (spec.optional_text && f.*spec.optional_text) out += QuoteCsvCell(*(f.*spec.optional_text));
      if (spec.fen && f.*spec.fen) out += std::to_string(*(f.*spec.fen));
    }
    out += "\r\n";
  }
  return out;
}

// Accepted records, written back in either format and read again with the same options, come
// back identical and without a problem.
inline void CheckRoundTrip(const IntakeOptions& options, const IntakeResult& r) {
  if (r.records.empty()) return;
  for (IntakeFormat format : {IntakeFormat::kJsonLines, IntakeFormat::kCsv}) {
    IntakeOptions again = options;
    again.format = format;
    const std::string text = format == IntakeFormat::kJsonLines ? RecordsAsJsonLines(r.records)
                                                                : RecordsAsCsv(r.records);
    const IntakeResult back = ParseDeclarations(text, again);
    FUZZ_REQUIRE(back.errors.empty(), "accepted records, written back, are refused");
    FUZZ_REQUIRE(back.records.size() == r.records.size(), "records lost in the round trip");
    for (size_t i = 0; i < r.records.size(); ++i) {
      FUZZ_REQUIRE(back.records[i].fields == r.records[i].fields,
                   "a record changed in the round trip");
    }
  }
}

// The options the targets run with: none, and what `customsd declare` passes for a config
// with one merchant (defaults filled in, only that mchid allowed).
inline IntakeOptions PlainOptions(IntakeFormat format) {
  IntakeOptions o;
  o.format = format;
  return o;
}
inline IntakeOptions OneMerchantOptions(IntakeFormat format) {
  IntakeOptions o;
  o.format = format;
  o.default_mchid = "1230000109";
  o.default_appid = "wxd678efh567hg6787";
  o.allowed_mchids = {"1230000109"};
  return o;
}

}  // namespace customsd::fuzz
