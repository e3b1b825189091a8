// customsd modify ORDER [--sub-order-no X] [--customs C] [--mchid M] --merchant-customs-no V
//   --duty N --order-fee N --transport-fee N --product-fee N: changes one declaration's values.
//
// One declaration, or every one a --state/--phase filter matches (confirmed as selector.h
// says), at least one value flag, and each declaration with its new values must pass
// ValidateDeclaration before any changes (each problem names its flag, exit 2; the fees of
// --order-fee/--transport-fee/--product-fee exist only on split orders). Values equal to the stored
// ones change nothing (exit 0).
//
// The new values, the phase and an "operator_modify" event listing old -> new commit in one
// guarded transaction, due now with failures 0:
// - WeChat accepted it (poll_started_at set): phase `modify`; the daemon sends the PATCH with
//   the declaration's fields. check_first stays, so a doubtful earlier send is checked first.
// - WeChat has not accepted it yet (phase submit, or attention after a refused or failed
//   declare): the values change locally and the phase becomes `submit`, so the declare itself
//   carries them (a PATCH of an order WeChat does not have could only fail). Refused (exit 1)
//   while an earlier declare's outcome is unknown (check_first): WeChat may hold the old values,
//   and only the daemon's check tells; 'customsd retry' lets it check, then modify again.
#include <array>
#include <map>

#include "daemon/commands/commands.h"
#include "daemon/commands/record_output.h"
#include "daemon/commands/selector.h"
#include "daemon/intake/field_checks.h"

namespace customsd {
namespace {

struct ModifyOptions {
  SelectorOptions select;
  std::optional<std::string> merchant_customs_no, duty, order_fee, transport_fee, product_fee;
};

struct FeeFlag {
  const char* field;
  std::optional<std::string> ModifyOptions::*text;
  std::optional<int64_t> DeclarationFields::*value;
  bool split_only;
};

constexpr std::array<FeeFlag, 4> kFeeFlags = {{
    {"duty", &ModifyOptions::duty, &DeclarationFields::duty, false},
    {"order_fee", &ModifyOptions::order_fee, &DeclarationFields::order_fee, true},
    {"transport_fee", &ModifyOptions::transport_fee, &DeclarationFields::transport_fee, true},
    {"product_fee", &ModifyOptions::product_fee, &DeclarationFields::product_fee, true},
}};

std::string FlagName(std::string field) {
  for (char& c : field) {
    if (c == '_') c = '-';
  }
  return "--" + field;
}

// Every problem with the flags and the declaration they produce; empty = fine.
std::vector<std::string> NewFields(const ModifyOptions& opt, const DeclarationRecord& r,
                                   DeclarationFields* out) {
  std::vector<std::string> problems;
  std::vector<std::string> given;
  *out = r.fields;
  if (opt.merchant_customs_no) {
    out->merchant_customs_no = *opt.merchant_customs_no;
    given.push_back("merchant_customs_no");
  }
  for (const FeeFlag& f : kFeeFlags) {
    const std::optional<std::string>& text = opt.*f.text;
    if (!text) continue;
    given.push_back(f.field);
    if (f.split_only && r.fields.sub_order_no.empty()) {
      problems.push_back(FlagName(f.field) + ": " + KeyOf(r.fields).ToString() +
                         " is not a split order; only --merchant-customs-no and --duty apply");
      continue;
    }
    std::optional<int64_t> fen = ParseFenText(*text);
    if (!fen) {
      problems.push_back(FlagName(f.field) + ": " + std::string(kNotWholeFen));
      continue;
    }
    (*out).*f.value = *fen;
  }
  if (!problems.empty()) return problems;
  for (const FieldError& e : ValidateDeclaration(*out)) {
    bool flag_given = std::find(given.begin(), given.end(), e.field) != given.end();
    problems.push_back(flag_given ? FlagName(e.field) + ": " + e.message
                                  : e.field + " (stored value, change it with " +
                                        FlagName(e.field) + "): " + e.message);
  }
  return problems;
}

int RunModify(CommandEnv& env, const ModifyOptions& opt) {
  if (Status s = CheckSelector(opt.select, SelectorForms::kOneOrFilter, "modify"); !s.ok()) {
    return Fail(env, s);
  }
  bool any = opt.merchant_customs_no.has_value();
  for (const FeeFlag& f : kFeeFlags) any = any || (opt.*f.text).has_value();
  if (!any) {
    return Fail(env, Status::InvalidInput("nothing to modify: give at least one of "
                                          "--merchant-customs-no, --duty, --order-fee, "
                                          "--transport-fee, --product-fee"));
  }
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());
  DeclarationStore store(**db, env.clock);
  auto records = SelectDeclarations(store, opt.select);
  if (!records.ok()) return Fail(env, records.status());

  // Every declaration's new values are checked before any changes: bad input changes nothing.
  std::map<int64_t, DeclarationFields> new_fields;
  size_t problem_count = 0;
  for (const DeclarationRecord& r : *records) {
    std::vector<std::string> problems = NewFields(opt, r, &new_fields[r.id]);
    for (const std::string& p : problems) {
      env.err << "customsd: " << (opt.select.one() ? "" : NameOf(r) + ": ") << p << "\n";
    }
    problem_count += problems.size();
  }
  if (problem_count > 0) {
    env.err << "customsd: nothing changed (" << problem_count << " problem"
            << (problem_count == 1 ? "" : "s") << ")\n";
    return kExitUsage;
  }
  if (opt.select.one()) {
    const DeclarationRecord& r = records->front();
    if (new_fields[r.id] == r.fields) {
      if (!env.output.table()) PrintItems(env.out, env.output.format, {}, RecordColumns());
      (env.output.table() ? env.out : env.err)
          << NameOf(r) << " already has these values; nothing changed\n";
      return kExitOk;
    }
    if (OperatorPlan p = PlanModify(r, new_fields[r.id], 0); !p.error.ok()) {
      return Fail(env, Status::FailedPrecondition(NameOf(r) + ": " + p.error.message()));
    }
  }
  Wording wording{"modify", "modified (sent by the daemon)", "would be modified"};
  if (opt.select.one()) {
    wording =
        records->front().poll_started_at
            ? Wording{"modify", "queued for modification (PATCH)",
                      "would be queued for modification (PATCH)"}
            : Wording{"modify", "changed before declaring", "would be changed before declaring"};
  }
  const int64_t now = UnixMillis(env.clock.Now());
  return ApplyPlans(
      env, **db, *records,
      [&](const DeclarationRecord& rec) { return PlanModify(rec, new_fields[rec.id], now); },
      opt.select, wording);
}

}  // namespace

void AddModifyCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<ModifyOptions>();
  CLI::App* cmd =
      app.add_subcommand("modify", "change declarations' values; the daemon sends them to WeChat");
  AddSelectorOptions(*cmd, env, opt->select, SelectorForms::kOneOrFilter);
  cmd->add_option("--merchant-customs-no", opt->merchant_customs_no, "new merchant customs no");
  cmd->add_option("--duty", opt->duty, "new duty, in fen");
  cmd->add_option("--order-fee", opt->order_fee, "new order fee, in fen (split orders)");
  cmd->add_option("--transport-fee", opt->transport_fee,
                  "new transport fee, in fen (split orders)");
  cmd->add_option("--product-fee", opt->product_fee, "new product fee, in fen (split orders)");
  cmd->callback([opt, &env] { env.exit_code = RunModify(env, *opt); });
}

}  // namespace customsd
