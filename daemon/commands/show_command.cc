// customsd show ORDER: one declaration with its whole event history.
#include "daemon/commands/commands.h"
#include "daemon/commands/record_output.h"
#include "storage/declaration_store.h"

namespace customsd {
namespace {

struct ShowOptions {
  std::string out_trade_no;
  std::optional<std::string> sub_order_no;
  std::string customs, mchid;
  bool json = false;
};

int RunShow(CommandEnv& env, const ShowOptions& opt) {
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());
  DeclarationStore store(**db, env.clock);

  ListFilter filter;
  filter.out_trade_no = opt.out_trade_no;
  filter.sub_order_no = opt.sub_order_no;
  filter.customs = opt.customs;
  filter.mchid = opt.mchid;
  auto matches = store.List(filter);
  if (!matches.ok()) return Fail(env, matches.status());
  if (matches->empty()) {
    return Fail(env, Status::NotFound("no declaration matches out_trade_no " + opt.out_trade_no));
  }
  if (matches->size() > 1) {
    env.err << "customsd: " << matches->size() << " declarations match out_trade_no "
            << opt.out_trade_no << "; narrow it with --sub-order-no, --customs or --mchid:\n";
    for (const DeclarationRecord& r : *matches) env.err << "  " << KeyOf(r.fields).ToString() << "\n";
    return kExitUsage;
  }
  const DeclarationRecord& record = matches->front();
  auto events = store.Events(record.id);
  if (!events.ok()) return Fail(env, events.status());
  if (opt.json) {
    nlohmann::json j = RecordToJson(record);
    j["events"] = nlohmann::json::array();
    for (const Event& e : *events) j["events"].push_back(EventToJson(e));
    env.out << j.dump(2) << "\n";
  } else {
    PrintRecordDetail(env.out, record, *events);
  }
  return kExitOk;
}

}  // namespace

void AddShowCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<ShowOptions>();
  CLI::App* cmd = app.add_subcommand("show", "one declaration with its full event history");
  cmd->add_option("ORDER", opt->out_trade_no, "out_trade_no")->required();
  cmd->add_option("--sub-order-no", opt->sub_order_no, "sub-order of a split order");
  cmd->add_option("--customs", opt->customs, "customs code");
  cmd->add_option("--mchid", opt->mchid, "merchant");
  cmd->add_flag("--json", opt->json, "print JSON");
  cmd->callback([opt, &env] { env.exit_code = RunShow(env, *opt); });
}

}  // namespace customsd
