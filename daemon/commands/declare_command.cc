// customsd declare: adds declarations from flags (one) or a JSON Lines / CSV file (many).
//
// All-or-nothing: every record is validated first and every problem reported with its line;
// then the whole batch is stored in one transaction, or nothing is when any record's key is
// already stored with other content (that needs `customsd modify`, not a second declare).
//
// Output: a line per record and a summary ("declare: 3 added, 1 already present"); -q keeps
// the summary only; -o json prints {added, already_present, records: [...]}, -o jsonl/csv one
// row per record (line, mchid, out_trade_no, sub_order_no, customs, result). On a terminal, a
// file of more than kProgressAbove records also gets progress lines on stderr, redrawn in place.
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/commands/commands.h"
#include "daemon/commands/declare_input.h"
#include "daemon/config/intake_options.h"
#include "daemon/intake/intake.h"
#include "storage/declaration_store.h"

namespace customsd {
namespace {

constexpr size_t kProgressAbove = 1000;

struct DeclareOptions {
  bool quiet = false;
  std::string file;
  std::string format = "auto";
  // One declaration from flags, by API field name.
  std::map<std::string, std::string> fields;
};

std::string FlagName(std::string field) {
  for (char& c : field) {
    if (c == '_') c = '-';
  }
  return "--" + field;
}

// The flags become one JSON Lines record, so they pass through exactly the validation a file
// gets. A fee that is not a plain integer stays a string and is refused there.
std::string FlagsAsJsonLine(const std::map<std::string, std::string>& fields) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : fields) {
    const size_t index = DeclarationFieldIndex(name);
    const bool is_fee =
        index < kDeclarationFields.size() && kDeclarationFields[index].fen != nullptr;
    bool digits = !value.empty() && value.size() <= 18 &&
                  value.find_first_not_of("0123456789") == std::string::npos;
    if (is_fee && digits) {
      j[name] = std::stoll(value);
    } else {
      j[name] = value;
    }
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int RunDeclare(CommandEnv& env, const DeclareOptions& opt) {
  const bool from_file = !opt.file.empty();
  if (from_file == !opt.fields.empty()) {
    return Fail(env, Status::InvalidInput(
                         from_file ? "give either --file or the field flags, not both"
                                   : "nothing to declare: give --file F or the field flags"));
  }
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());

  IntakeFormat format = IntakeFormat::kAuto;
  if (opt.format == "jsonl" || !from_file) format = IntakeFormat::kJsonLines;
  if (opt.format == "csv") format = IntakeFormat::kCsv;
  const IntakeOptions intake = IntakeOptionsFor(*config, format);

  const size_t max_bytes = static_cast<size_t>(config->declare.max_file_mb) << 20;
  auto text = from_file ? ReadDeclareInput(opt.file, env.in, max_bytes)
                        : StatusOr<std::string>(FlagsAsJsonLine(opt.fields));
  if (!text.ok()) return Fail(env, text.status());
  const bool progress = env.interactive && from_file && text->size() > 64 * kProgressAbove;
  if (progress) env.err << "declare: reading and checking " << opt.file << " ..." << std::flush;
  IntakeResult parsed = ParseDeclarations(*text, intake);
  if (progress) {
    env.err << "\r\033[Kdeclare: " << parsed.records.size() << " records read"
            << (parsed.errors.empty() ? ", storing them in one transaction ..." : "\n")
            << std::flush;
  }

  // From flags there is no line to name, only the field.
  auto describe = [&](const IntakeProblem& p) {
    if (from_file) return p.ToString();
    return p.field.empty() ? p.message : FlagName(p.field) + ": " + p.message;
  };
  for (const IntakeProblem& w : parsed.warnings) env.err << "warning: " << describe(w) << "\n";
  if (!parsed.errors.empty()) {
    for (const IntakeProblem& e : parsed.errors) env.err << "customsd: " << describe(e) << "\n";
    env.err << "customsd: nothing stored (" << parsed.errors.size() << " problem"
            << (parsed.errors.size() == 1 ? "" : "s") << ")\n";
    return kExitUsage;
  }

  auto db = OpenDatabaseFor(*config, OpenMode::kCreateAndMigrate, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());
  DeclarationStore store(**db, env.clock);
  std::vector<DeclarationFields> batch;
  batch.reserve(parsed.records.size());
  for (const IntakeRecord& r : parsed.records) batch.push_back(r.fields);
  auto report = store.Add(batch);
  if (progress) env.err << "\r\033[K" << std::flush;
  if (!report.ok()) return Fail(env, report.status());

  auto where = [&](const IntakeRecord& r) {
    return from_file ? "line " + std::to_string(r.line) + ": " : std::string();
  };
  const bool lines = env.output.table() && !opt.quiet && report->committed;
  std::vector<nlohmann::json> rows;
  int added = 0, present = 0, conflicts = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const IntakeRecord& r = parsed.records[i];
    std::string key = KeyOf(r.fields).ToString();
    if (!env.output.table() && report->committed) {
      rows.push_back(
          {{"line", from_file ? nlohmann::json(r.line) : nlohmann::json(nullptr)},
           {"mchid", r.fields.mchid},
           {"out_trade_no", r.fields.out_trade_no},
           {"sub_order_no", r.fields.sub_order_no},
           {"customs", r.fields.customs},
           {"result", report->results[i] == AddResult::kAdded ? "added" : "already_present"}});
    }
    switch (report->results[i]) {
      case AddResult::kAdded:
        ++added;
        if (lines) env.out << where(r) << "added " << key << "\n";
        break;
      case AddResult::kAlreadyPresent:
        ++present;
        if (lines) env.out << where(r) << "already present, unchanged: " << key << "\n";
        break;
      case AddResult::kConflict:
        ++conflicts;
        env.err << "customsd: " << where(r) << key
                << ": already declared with different content; use 'customsd modify' to "
                   "change a declaration\n";
        break;
    }
  }
  if (!report->committed) {
    env.err << "customsd: nothing stored (" << conflicts << " conflicting record"
            << (conflicts == 1 ? "" : "s") << ")\n";
    return kExitUsage;
  }
  if (env.output.format == OutputFormat::kJson) {
    nlohmann::json j = {{"added", added}, {"already_present", present}, {"records", rows}};
    env.out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (!env.output.table()) {
    PrintItems(env.out, env.output.format, rows,
               {"line", "mchid", "out_trade_no", "sub_order_no", "customs", "result"});
  } else {
    env.out << "declare: " << added << " added, " << present << " already present\n";
  }
  return kExitOk;
}

}  // namespace

void AddDeclareCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<DeclareOptions>();
  CLI::App* cmd = app.add_subcommand(
      "declare", "add declarations: one from flags, or many from --file (JSON Lines or CSV)");
  cmd->add_option("-f,--file", opt->file, "JSON Lines or CSV file ('-' = stdin)");
  cmd->add_option("--format", opt->format, "file format")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}));
  cmd->add_flag("-q,--quiet", opt->quiet, "print the summary line only (and any problems)");
  AddOutputOptions(*cmd, env);
  // One flag per field of the declare request, in the table's order: --merchant-customs-no.
  for (const FieldSpec& spec : kDeclarationFields) {
    const std::string field(spec.name);
    cmd->add_option_function<std::string>(
        FlagName(field), [opt, field](const std::string& v) { opt->fields[field] = v; },
        spec.fen != nullptr ? "amount in fen (0.01 CNY)" : "declare request field");
  }
  cmd->callback([opt, &env] { env.exit_code = RunDeclare(env, *opt); });
}

}  // namespace customsd
