#include "daemon/intake/intake.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "daemon/intake/csv_reader.h"
#include "daemon/intake/field_checks.h"

namespace customsd {
namespace {

using Json = nlohmann::json;

constexpr size_t kFieldCount = kDeclarationFields.size();

// One record on its way in: the fields read so far and what went wrong reading them.
struct Draft {
  explicit Draft(int l) : line(l) {}
  int line;
  DeclarationFields fields;
  std::vector<FieldError> errors;
  std::set<std::string> unreadable;  // fields whose value was rejected before validation
  void Reject(std::string field, std::string message) {
    unreadable.insert(field);
    errors.push_back({std::move(field), std::move(message)});
  }
};

// A value given as text: a CSV cell, or a JSON string for a string field.
void SetFromText(Draft& draft, const FieldSpec& spec, std::string_view cell) {
  DeclarationFields& f = draft.fields;
  if (spec.fen) {
    std::optional<int64_t> fen = ParseFenText(cell);
    if (!fen) return draft.Reject(std::string(spec.name), std::string(kNotWholeFen));
    f.*spec.fen = *fen;
  } else if (spec.text) {
    f.*spec.text = std::string(cell);
  } else if (!cell.empty()) {
    f.*spec.optional_text = std::string(cell);
  }
}

class Intake {
 public:
  explicit Intake(const IntakeOptions& options) : options_(options) {}

  void JsonLines(std::string_view text);
  void Csv(std::string_view text);
  IntakeResult Take();

 private:
  void Error(int line, std::string field, std::string message) {
    result_.errors.push_back({line, std::move(field), std::move(message)});
  }
  void SetFromJson(Draft& draft, const std::string& key, const Json& value);
  bool CheckCsvHeader(const CsvRecord& header);
  void Finish(Draft draft);

  const IntakeOptions& options_;
  IntakeResult result_;
  int candidates_ = 0;  // records seen, good or bad
  std::map<DeclarationKey, int> first_line_;
  std::vector<const FieldSpec*> columns_;
};

void Intake::JsonLines(std::string_view text) {
  int line = 0;
  for (size_t start = 0; start <= text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++line;
    if (raw.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    ++candidates_;
    if (size_t bad = FindInvalidUtf8(raw); bad != std::string_view::npos) {
      Error(line, "", "not valid UTF-8 (byte " + std::to_string(bad + 1) + " of the line)");
      continue;
    }
    std::vector<std::string> keys;
    Json object;
    try {
      object = Json::parse(raw.begin(), raw.end(),
                           [&](int depth, Json::parse_event_t event, Json& parsed) {
                             if (event == Json::parse_event_t::key && depth == 1) {
                               keys.push_back(parsed.get<std::string>());
                             }
                             return true;
                           });
    } catch (const Json::exception& e) {
      // e.what() quotes the input: give only the position.
      const auto* parse = dynamic_cast<const Json::parse_error*>(&e);
      Error(line, "",
            "not valid JSON" +
                (parse ? " (error at byte " + std::to_string(parse->byte) + ")" : std::string()));
      continue;
    }
    if (!object.is_object()) {
      Error(line, "", "not a JSON object");
      continue;
    }
    Draft draft(line);
    // The parser keeps the last of repeated keys; which one the merchant meant is unknowable.
    std::sort(keys.begin(), keys.end());
    for (size_t i = 1; i < keys.size(); ++i) {
      if (keys[i] == keys[i - 1] && (i < 2 || keys[i - 1] != keys[i - 2])) {
        draft.Reject(PrintableName(keys[i]), "appears more than once in the object");
      }
    }
    for (const auto& [key, value] : object.items()) SetFromJson(draft, key, value);
    Finish(std::move(draft));
  }
}

void Intake::SetFromJson(Draft& draft, const std::string& key, const Json& value) {
  size_t index = DeclarationFieldIndex(key);
  if (index == kFieldCount) return draft.Reject(PrintableName(key), "unknown field");
  if (draft.unreadable.count(key) || value.is_null()) return;
  const FieldSpec& spec = kDeclarationFields[index];
  DeclarationFields& f = draft.fields;
  if (spec.fen) {
    if (!value.is_number_integer()) return draft.Reject(key, std::string(kNotWholeFen));
    if (value.is_number_unsigned()) {
      // Saturate: anything above kMaxFen gets the same "at most" message from validation.
      f.*spec.fen = static_cast<int64_t>(std::min<uint64_t>(value.get<uint64_t>(), kMaxFen + 1));
    } else {
      f.*spec.fen = value.get<int64_t>();
    }
    return;
  }
  if (!value.is_string()) return draft.Reject(key, "must be a string");
  SetFromText(draft, spec, value.get_ref<const std::string&>());
}

bool Intake::CheckCsvHeader(const CsvRecord& header) {
  const size_t errors_before = result_.errors.size();
  std::set<std::string_view> seen;
  for (size_t i = 0; i < header.cells.size(); ++i) {
    std::string_view name = header.cells[i];
    const std::string column = "column " + std::to_string(i + 1);
    if (FindInvalidUtf8(name) != std::string_view::npos) {
      columns_.push_back(nullptr);
      Error(header.line, "", column + ": header is not valid UTF-8");
      continue;
    }
    // Spreadsheets often leave spaces around header names; they are never part of one.
    size_t first = name.find_first_not_of(" \t"), last = name.find_last_not_of(" \t");
    name = first == std::string_view::npos ? "" : name.substr(first, last - first + 1);
    size_t index = DeclarationFieldIndex(name);
    columns_.push_back(index == kFieldCount ? nullptr : &kDeclarationFields[index]);
    if (name.empty()) {
      Error(header.line, "", column + " has no name in the header");
    } else if (index == kFieldCount) {
      Error(header.line, PrintableName(name), "unknown column (" + column + ")");
    } else if (!seen.insert(name).second) {
      Error(header.line, std::string(name), "column appears more than once in the header");
    }
  }
  for (const FieldSpec& spec : kDeclarationFields) {
    bool required = spec.text && spec.text != &DeclarationFields::sub_order_no &&
                    !(spec.text == &DeclarationFields::appid && !options_.default_appid.empty()) &&
                    !(spec.text == &DeclarationFields::mchid && !options_.default_mchid.empty());
    if (required && !seen.count(spec.name)) {
      Error(header.line, std::string(spec.name), "required column missing from the header");
    }
  }
  return result_.errors.size() == errors_before;
}

void Intake::Csv(std::string_view text) {
  CsvResult csv = ReadCsv(text);
  for (auto& e : csv.errors) Error(e.line, "", std::move(e.message));
  // Spreadsheets export empty rows as ",,,,": like blank lines, they are no records.
  std::erase_if(csv.records, [](const CsvRecord& rec) {
    return std::all_of(rec.cells.begin(), rec.cells.end(), [](const std::string& cell) {
      return cell.find_first_not_of(" \t") == std::string::npos;
    });
  });
  if (csv.records.empty()) return;
  // A broken header line was skipped by the reader: a data row must not take its place.
  if (!csv.errors.empty() && csv.errors.front().line < csv.records.front().line) return;
  if (!CheckCsvHeader(csv.records.front())) return;
  const size_t width = csv.records.front().cells.size();
  for (size_t r = 1; r < csv.records.size(); ++r) {
    const CsvRecord& row = csv.records[r];
    ++candidates_;
    if (row.cells.size() != width) {
      Error(row.line, "",
            "has " + std::to_string(row.cells.size()) + " cells but the header has " +
                std::to_string(width));
      continue;
    }
    Draft draft(row.line);
    for (size_t i = 0; i < width; ++i) {
      if (row.cells[i].empty()) continue;
      if (FindInvalidUtf8(row.cells[i]) != std::string_view::npos) {
        draft.Reject(std::string(columns_[i]->name),
                     "not valid UTF-8 (column " + std::to_string(i + 1) + ")");
        continue;
      }
      SetFromText(draft, *columns_[i], row.cells[i]);
    }
    Finish(std::move(draft));
  }
}

void Intake::Finish(Draft draft) {
  DeclarationFields& f = draft.fields;
  if (f.mchid.empty() && !draft.unreadable.count("mchid")) f.mchid = options_.default_mchid;
  if (f.appid.empty() && !draft.unreadable.count("appid")) f.appid = options_.default_appid;
  std::vector<FieldError> errors = std::move(draft.errors);
  for (FieldError& e : ValidateDeclaration(f)) {
    if (!draft.unreadable.count(e.field)) errors.push_back(std::move(e));
  }
  bool mchid_ok = std::none_of(errors.begin(), errors.end(),
                               [](const FieldError& e) { return e.field == "mchid"; });
  const auto& allowed = options_.allowed_mchids;
  if (mchid_ok && !allowed.empty() &&
      std::find(allowed.begin(), allowed.end(), f.mchid) == allowed.end()) {
    errors.push_back({"mchid", "not a merchant in the config"});
  }
  std::stable_sort(errors.begin(), errors.end(), [](const FieldError& a, const FieldError& b) {
    return DeclarationFieldIndex(a.field) < DeclarationFieldIndex(b.field);
  });
  if (!f.mchid.empty() && !f.out_trade_no.empty() && !f.customs.empty()) {
    auto [it, inserted] = first_line_.emplace(KeyOf(f), draft.line);
    if (!inserted) {
      errors.push_back({"", "duplicate of line " + std::to_string(it->second) +
                                " (same mchid, out_trade_no, sub_order_no, customs)"});
    }
  }
  for (FieldError& w : DeclarationWarnings(f)) {
    result_.warnings.push_back({draft.line, std::move(w.field), std::move(w.message)});
  }
  for (FieldError& e : errors) Error(draft.line, std::move(e.field), std::move(e.message));
  if (errors.empty()) result_.records.push_back({draft.line, std::move(f)});
}

IntakeResult Intake::Take() {
  if (candidates_ == 0 && result_.errors.empty()) Error(0, "", "no declarations found");
  auto by_line = [](const IntakeProblem& a, const IntakeProblem& b) { return a.line < b.line; };
  std::stable_sort(result_.errors.begin(), result_.errors.end(), by_line);
  std::stable_sort(result_.warnings.begin(), result_.warnings.end(), by_line);
  return std::move(result_);
}

}  // namespace

std::string IntakeProblem::ToString() const {
  std::string out = line == 0 ? "input: " : "line " + std::to_string(line) + ": ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

IntakeResult ParseDeclarations(std::string_view text, const IntakeOptions& options) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  IntakeFormat format = options.format;
  if (format == IntakeFormat::kAuto) {
    size_t first = text.find_first_not_of(" \t\r\n");
    format = first != std::string_view::npos && text[first] == '{' ? IntakeFormat::kJsonLines
                                                                   : IntakeFormat::kCsv;
  }
  try {
    Intake intake(options);
    if (format == IntakeFormat::kJsonLines) {
      intake.JsonLines(text);
    } else {
      intake.Csv(text);
    }
    return intake.Take();
  } catch (...) {
    // Only resource exhaustion gets here; the caller must still see a failure, not a crash.
    IntakeResult failed;
    failed.errors.push_back({0, "", "could not read the declarations (out of memory?)"});
    return failed;
  }
}

}  // namespace customsd
