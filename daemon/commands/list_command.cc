// customsd list: declarations, newest first, filtered by state, phase, customs, merchant, order
// and creation time, a page at a time.
//
// Paging is by key, not offset: `--after ID` lists the declarations older than ID (ids grow
// with time), so a page does not shift while the daemon adds rows. When a page is full and more
// match, stderr says so and names the next command ("--after 1234"); stdout stays the records
// alone, so -o json/jsonl/csv pipes stay clean.
#include "daemon/commands/commands.h"
#include "daemon/commands/record_output.h"
#include "daemon/commands/time_flag.h"
#include "storage/declaration_store.h"

namespace customsd {
namespace {

struct ListOptions {
  std::string state, phase, customs, mchid, out_trade_no, since, until;
  std::optional<int64_t> after;
  int limit = 100;
};

Status BuildFilter(const ListOptions& opt, ListFilter* filter) {
  if (!opt.state.empty()) {
    filter->state = ParseState(opt.state);
    if (!filter->state) {
      return Status::InvalidInput("--state: '" + opt.state +
                                  "' is not one of UNDECLARED, SUBMITTED, PROCESSING, SUCCESS, "
                                  "FAIL, EXCEPT");
    }
  }
  if (!opt.phase.empty()) {
    filter->phase = ParsePhase(opt.phase);
    if (!filter->phase) {
      return Status::InvalidInput("--phase: '" + opt.phase +
                                  "' is not one of submit, poll, modify, redeclare, done, "
                                  "attention, cancelled");
    }
  }
  if (!opt.since.empty()) {
    auto t = ParseTimeFlag("--since", opt.since);
    if (!t.ok()) return t.status();
    filter->created_since = *t;
  }
  if (!opt.until.empty()) {
    auto t = ParseTimeFlag("--until", opt.until);
    if (!t.ok()) return t.status();
    filter->created_until = *t;
  }
  filter->customs = opt.customs;
  filter->mchid = opt.mchid;
  filter->out_trade_no = opt.out_trade_no;
  filter->before_id = opt.after;
  // One more than asked tells whether the page is the last.
  filter->limit = opt.limit > 0 ? opt.limit + 1 : 0;
  return Status::Ok();
}

int RunList(CommandEnv& env, const ListOptions& opt) {
  ListFilter filter;
  if (Status s = BuildFilter(opt, &filter); !s.ok()) return Fail(env, s);
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());
  DeclarationStore store(**db, env.clock);
  auto records = store.List(filter);
  if (!records.ok()) return Fail(env, records.status());
  const bool more = opt.limit > 0 && static_cast<int>(records->size()) > opt.limit;
  if (more) records->resize(opt.limit);
  PrintRecords(env.out, env.output, *records);
  if (more) {
    env.err << "note: stopped at --limit " << opt.limit << "; more match: the next page is "
            << "'customsd list ... --after " << records->back().id << "'\n";
  }
  return kExitOk;
}

}  // namespace

void AddListCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<ListOptions>();
  CLI::App* cmd = app.add_subcommand("list", "list declarations, newest first");
  cmd->add_option("--state", opt->state, "only this state (e.g. EXCEPT)");
  cmd->add_option("--phase", opt->phase, "only this phase (e.g. attention)");
  cmd->add_option("--customs", opt->customs, "only this customs code");
  cmd->add_option("--mchid,--merchant", opt->mchid, "only this merchant");
  cmd->add_option("--out-trade-no", opt->out_trade_no, "only this order (all its sub-orders)");
  cmd->add_option("--since", opt->since, "created at or after (2026-12-05 or RFC 3339)");
  cmd->add_option("--until", opt->until, "created before (2026-12-05 or RFC 3339)");
  cmd->add_option("--after", opt->after, "the page after this ID (older declarations)");
  cmd->add_option("--limit", opt->limit, "at most N records (0 = all)")
      ->check(CLI::NonNegativeNumber);
  AddOutputOptions(*cmd, env);
  cmd->callback([opt, &env] { env.exit_code = RunList(env, *opt); });
}

}  // namespace customsd
