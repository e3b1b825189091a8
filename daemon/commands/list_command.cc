// customsd list: declarations, newest first, filtered by state, phase and customs.
#include "daemon/commands/commands.h"
#include "daemon/commands/record_output.h"
#include "storage/declaration_store.h"

namespace customsd {
namespace {

struct ListOptions {
  std::string state, phase, customs, mchid, out_trade_no;
  int limit = 100;
  bool json = false;
};

// Shared by list and the selectors of later commands: "--state x" must name a real state.
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
                                  "attention");
    }
  }
  filter->customs = opt.customs;
  filter->mchid = opt.mchid;
  filter->out_trade_no = opt.out_trade_no;
  filter->limit = opt.limit;
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
  if (opt.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const DeclarationRecord& r : *records) out.push_back(RecordToJson(r));
    env.out << out.dump(2) << "\n";
  } else {
    PrintRecordTable(env.out, *records);
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
  cmd->add_option("--mchid", opt->mchid, "only this merchant");
  cmd->add_option("--out-trade-no", opt->out_trade_no, "only this order (all its sub-orders)");
  cmd->add_option("--limit", opt->limit, "at most N records (0 = all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", opt->json, "print a JSON array");
  cmd->callback([opt, &env] { env.exit_code = RunList(env, *opt); });
}

}  // namespace customsd
