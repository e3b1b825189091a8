// customsd show ID|ORDER: one declaration with its whole event history. The declaration is
// named as selector.h describes (an ID, or an order with --sub-order-no/--customs/--mchid); none
// is exit 3. -o json/jsonl carry the events in "events"; -o csv prints the record's row only.
#include "daemon/commands/commands.h"
#include "daemon/commands/record_output.h"
#include "daemon/commands/selector.h"
#include "storage/declaration_store.h"

namespace customsd {
namespace {

int RunShow(CommandEnv& env, const SelectorOptions& opt) {
  if (!opt.one()) {
    return Fail(env, Status::InvalidInput("say which declaration: ID, or ORDER [--sub-order-no X] "
                                          "[--customs C] [--mchid M]"));
  }
  if (Status s = CheckSelector(opt, SelectorForms::kOneOnly, "show"); !s.ok()) {
    return Fail(env, s);
  }
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());
  DeclarationStore store(**db, env.clock);
  auto matches = SelectDeclarations(store, opt);
  if (!matches.ok()) return Fail(env, matches.status());
  const DeclarationRecord& record = matches->front();
  auto events = store.Events(record.id);
  if (!events.ok()) return Fail(env, events.status());
  if (env.output.table()) {
    PrintRecordDetail(env.out, record, *events, env.output);
    return kExitOk;
  }
  nlohmann::json j = RecordToJson(record);
  if (env.output.format != OutputFormat::kCsv) {
    j["events"] = nlohmann::json::array();
    for (const Event& e : *events) j["events"].push_back(EventToJson(e));
  }
  if (env.output.format == OutputFormat::kJson) {
    env.out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    PrintItems(env.out, env.output.format, {j}, RecordColumns());
  }
  return kExitOk;
}

}  // namespace

void AddShowCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<SelectorOptions>();
  CLI::App* cmd = app.add_subcommand("show", "one declaration with its full event history");
  cmd->add_option("ORDER", opt->out_trade_no, "its ID as 'list' shows it, or its out_trade_no");
  cmd->add_option("--id", opt->id, "the declaration with this ID");
  cmd->add_option("--sub-order-no", opt->sub_order_no, "sub-order of a split order");
  cmd->add_option("--customs", opt->customs, "customs code");
  cmd->add_option("--mchid,--merchant", opt->mchid, "merchant");
  AddOutputOptions(*cmd, env);
  cmd->callback([opt, &env] { env.exit_code = RunShow(env, *opt); });
}

}  // namespace customsd
