// customsd cancel SELECTOR [--reason TEXT]: takes declarations out of work, e.g. the order was
// refunded before customs decided. The declaration stays in the database with its history, in
// phase `cancelled`; customsd sends and asks nothing more for it, and raises no alerts for it.
//
// Any phase but `done` (a settled declaration is a customs record; cancelling it would hide
// its SUCCESS or FAIL) and `cancelled` may be cancelled. WeChat Pay has no call to withdraw a
// customs declaration: one it already accepted stays filed there, and the command says so. A
// send the daemon is making at that moment may still reach WeChat; its answer then loses the
// guarded update to the cancel and is not recorded (the daemon logs the conflict).
// `customsd retry` undoes a cancel (back to submit, or to poll when WeChat had accepted it).
#include "daemon/commands/commands.h"
#include "daemon/commands/selector.h"

namespace customsd {
namespace {

struct CancelOptions {
  SelectorOptions select;
  std::string reason;
};

}  // namespace

void AddCancelCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<CancelOptions>();
  CLI::App* cmd = app.add_subcommand(
      "cancel", "take declarations out of work (e.g. a refunded order), kept with their history");
  AddSelectorOptions(*cmd, env, opt->select, SelectorForms::kOneOrFilter);
  cmd->add_option("--reason", opt->reason, "why, kept in the declaration's history");
  cmd->callback([opt, &env] {
    env.exit_code = RunSelectedChange(
        env, opt->select, {"cancel", "cancelled", "would be cancelled"},
        [opt](DeclarationStore&) -> Planner {
          return [opt](const DeclarationRecord& r) { return PlanCancel(r, opt->reason); };
        });
  });
}

}  // namespace customsd
