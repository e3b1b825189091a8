#include "daemon/commands/selector.h"

#include <algorithm>
#include <cctype>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "daemon/commands/commands.h"
#include "daemon/commands/record_output.h"
#include "daemon/workflow/operator_change.h"

namespace customsd {
namespace {

bool IsFilter(const SelectorOptions& opt) { return !opt.state.empty() || !opt.phase.empty(); }

bool IsAllDigits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::string Plural(size_t n) {
  return std::to_string(n) + (n == 1 ? " declaration" : " declarations");
}

struct Tally {
  size_t changed = 0, skipped = 0, raced = 0, failed = 0;
};

void PrintSummary(CommandEnv& env, const SelectorOptions& opt, const Wording& w, const Tally& t) {
  env.out << w.command << ": ";
  if (opt.dry_run) env.out << "dry run, nothing changed: ";
  env.out << Plural(t.changed) << " " << (opt.dry_run ? w.would : w.done);
  if (t.skipped > 0) env.out << ", " << t.skipped << " skipped";
  if (t.raced > 0) env.out << ", " << t.raced << " changed meanwhile";
  if (t.failed > 0) env.out << ", " << t.failed << " failed";
  env.out << "\n";
}

}  // namespace

void AddSelectorOptions(CLI::App& cmd, CommandEnv& env, SelectorOptions& opt, SelectorForms forms) {
  const std::string filter_group = forms == SelectorForms::kOneOnly ? "" : "Options";
  cmd.add_option("ORDER", opt.out_trade_no,
                 "the one declaration to act on: its ID as 'list' shows it, or its out_trade_no");
  cmd.add_option("--id", opt.id, "the one declaration with this ID");
  cmd.add_option("--sub-order-no", opt.sub_order_no, "sub-order of a split order (with ORDER)");
  cmd.add_option("--customs", opt.customs, "customs code");
  cmd.add_option("--mchid,--merchant", opt.mchid, "merchant");
  cmd.add_option("--state", opt.state, "every declaration in this state (instead of ORDER)")
      ->group(filter_group);
  cmd.add_option("--phase", opt.phase, "every declaration in this phase (instead of ORDER)")
      ->group(filter_group);
  cmd.add_flag("--dry-run", opt.dry_run, "show what would change, change nothing");
  if (forms != SelectorForms::kOneOnly) {
    cmd.add_flag("-y,--yes", opt.yes,
                 "change every declaration the filter matches, without asking");
  }
  AddOutputOptions(cmd, env);
}

Status CheckSelector(const SelectorOptions& opt, SelectorForms forms, const std::string& command) {
  const bool one = opt.one();
  if (opt.id && !opt.out_trade_no.empty()) {
    return Status::InvalidInput("give either ID/ORDER or --id, not both");
  }
  if (opt.id && opt.sub_order_no) {
    return Status::InvalidInput("--sub-order-no names a sub-order of ORDER; an ID needs none");
  }
  if (one && IsFilter(opt)) {
    return Status::InvalidInput("give either ORDER or --state/--phase, not both");
  }
  if (forms == SelectorForms::kOneOnly && IsFilter(opt)) {
    return Status::InvalidInput(command +
                                " changes one declaration: name it with ORDER (and --sub-order-no, "
                                "--customs or --mchid), not with --state/--phase");
  }
  if (!one && !IsFilter(opt)) {
    return Status::InvalidInput(
        forms == SelectorForms::kOneOnly
            ? "say which declaration: ID, or ORDER [--sub-order-no X] [--customs C] [--mchid M]"
            : "say which declarations: ID, or ORDER [--sub-order-no X] [--customs C] "
              "[--mchid M], or --state S and/or --phase P");
  }
  if (!one && opt.sub_order_no) {
    return Status::InvalidInput("--sub-order-no needs ORDER");
  }
  if (!opt.state.empty() && !ParseState(opt.state)) {
    return Status::InvalidInput("--state: '" + opt.state +
                                "' is not one of UNDECLARED, SUBMITTED, PROCESSING, SUCCESS, "
                                "FAIL, EXCEPT");
  }
  if (!opt.phase.empty() && !ParsePhase(opt.phase)) {
    return Status::InvalidInput("--phase: '" + opt.phase +
                                "' is not one of submit, poll, modify, redeclare, done, "
                                "attention, cancelled");
  }
  return Status::Ok();
}

StatusOr<std::vector<DeclarationRecord>> SelectDeclarations(DeclarationStore& store,
                                                            const SelectorOptions& opt) {
  ListFilter filter;
  filter.customs = opt.customs;
  filter.mchid = opt.mchid;
  if (!opt.one()) {
    if (!opt.state.empty()) filter.state = ParseState(opt.state);
    if (!opt.phase.empty()) filter.phase = ParsePhase(opt.phase);
    return store.List(filter);
  }
  std::vector<DeclarationRecord> by_id;
  std::optional<int64_t> id = opt.id;
  if (!id && !opt.sub_order_no && IsAllDigits(opt.out_trade_no) && opt.out_trade_no.size() < 19) {
    id = std::stoll(opt.out_trade_no);
  }
  if (id) {
    ListFilter f = filter;
    f.id = *id;
    auto found = store.List(f);
    if (!found.ok()) return found.status();
    by_id = std::move(*found);
  }
  std::vector<DeclarationRecord> by_order;
  if (!opt.out_trade_no.empty()) {
    filter.out_trade_no = opt.out_trade_no;
    filter.sub_order_no = opt.sub_order_no;
    auto found = store.List(filter);
    if (!found.ok()) return found.status();
    by_order = std::move(*found);
  }
  if (!by_id.empty() && !by_order.empty() &&
      !(by_order.size() == 1 && by_order.front().id == by_id.front().id)) {
    return Status::InvalidInput(opt.out_trade_no + " is both the ID of " + NameOf(by_id.front()) +
                                " and an out_trade_no; say --id " + opt.out_trade_no +
                                " for the first, or add --customs, --mchid or --sub-order-no " +
                                "for the order");
  }
  std::vector<DeclarationRecord>& matches = by_id.empty() ? by_order : by_id;
  if (matches.empty()) {
    return Status::NotFound(opt.out_trade_no.empty()
                                ? "no declaration has ID " + std::to_string(*opt.id)
                                : "no declaration matches " + opt.out_trade_no +
                                      (id ? " (as an ID or an out_trade_no)" : ""));
  }
  if (matches.size() > 1) {
    std::string message = std::to_string(matches.size()) + " declarations match out_trade_no " +
                          opt.out_trade_no +
                          "; narrow it with --sub-order-no, --customs or --mchid, or give the ID:";
    for (const DeclarationRecord& r : matches) {
      message += "\n  " + std::to_string(r.id) + "  " + KeyOf(r.fields).ToString();
    }
    return Status::InvalidInput(message);
  }
  return std::move(matches);
}

std::string NameOf(const DeclarationRecord& r) {
  return KeyOf(r.fields).ToString() + " (id " + std::to_string(r.id) + ")";
}

// A filter's change goes ahead only when --yes, or when the operator says so at a terminal.
// Returns the exit code to stop with, or nullopt to go on.
std::optional<int> Confirm(CommandEnv& env, const SelectorOptions& opt, const Wording& wording,
                           size_t count) {
  if (opt.one() || opt.dry_run || opt.yes || count == 0) return std::nullopt;
  return ConfirmBulkChange(env, wording.command + ": " + Plural(count) + " " + wording.would,
                           "add --yes to go ahead (--dry-run lists them)");
}

int ApplyPlans(CommandEnv& env, Database& db, const std::vector<DeclarationRecord>& records,
               const Planner& planner, const SelectorOptions& opt, const Wording& wording) {
  const bool table = env.output.table();
  if (records.empty()) {
    if (table) {
      env.out << "no declarations match\n";
    } else {
      PrintItems(env.out, env.output.format, {}, RecordColumns());
      env.err << "note: no declarations match\n";
    }
    return kExitOk;
  }
  DeclarationStore store(db, env.clock);
  std::vector<nlohmann::json> changed;
  Tally tally;
  std::vector<std::pair<const DeclarationRecord*, OperatorPlan>> plans;
  for (const DeclarationRecord& r : records) {
    OperatorPlan plan = planner(r);
    if (!plan.error.ok()) {
      ++tally.failed;
      env.err << "customsd: " << NameOf(r) << ": " << plan.error.message() << "\n";
      continue;
    }
    if (!plan.skip.empty()) {
      ++tally.skipped;
      env.err << "note: " << NameOf(r) << " skipped: " << plan.skip << "\n";
      continue;
    }
    plans.emplace_back(&r, std::move(plan));
  }
  if (auto stop = Confirm(env, opt, wording, plans.size())) return *stop;
  for (const auto& [record, plan] : plans) {
    const DeclarationRecord& r = *record;
    const int64_t now = UnixMillis(env.clock.Now());
    DeclarationRecord after = Projected(r, plan, now);
    if (!opt.dry_run) {
      Status s = ApplyOperatorPlan(db, store, r, plan, now);
      if (s.code() == StatusCode::kConflict) {
        ++tally.raced;
        env.err << "customsd: " << NameOf(r) << ": changed meanwhile; run the command again\n";
        continue;
      }
      if (!s.ok()) {
        ++tally.failed;
        env.err << "customsd: " << NameOf(r) << ": " << s.message() << "\n";
        continue;
      }
      auto stored = store.Get(r.id);
      if (stored.ok()) after = *stored;
    }
    ++tally.changed;
    if (!table) {
      changed.push_back(RecordToJson(after));
    } else {
      env.out << NameOf(r) << ": " << ToString(r.phase) << " -> " << ToString(after.phase)
              << (plan.detail.empty() ? "" : "; " + plan.detail) << "\n";
    }
  }
  if (!table) {
    PrintItems(env.out, env.output.format, changed, RecordColumns());
  } else {
    PrintSummary(env, opt, wording, tally);
  }
  return tally.raced + tally.failed > 0 ? kExitFailure : kExitOk;
}

int RunSelectedChange(CommandEnv& env, const SelectorOptions& opt, const Wording& wording,
                      const std::function<Planner(DeclarationStore&)>& make_planner) {
  if (Status s = CheckSelector(opt, SelectorForms::kOneOrFilter, wording.command); !s.ok()) {
    return Fail(env, s);
  }
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());
  DeclarationStore store(**db, env.clock);
  auto records = SelectDeclarations(store, opt);
  if (!records.ok()) return Fail(env, records.status());
  return ApplyPlans(env, **db, *records, make_planner(store), opt, wording);
}

}  // namespace customsd
