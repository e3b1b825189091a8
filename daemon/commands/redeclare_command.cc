// customsd redeclare SELECTOR: asks the daemon to re-push declarations to customs.
//
// Only declarations whose state is SUCCESS or EXCEPT change; others are skipped with a note, and
// so is one whose modification is still to be sent (phase modify, or attention entered from
// modify): a re-push must not overtake it. A changed declaration goes to phase `redeclare`, due
// now, failures 0, with an "operator_redeclare" event.
//
// The automatic re-push limit (redeclare.max_attempts) does not stop an operator's request, and
// the count of re-pushes is NOT reset: the operator's re-push is one more, so if WeChat reports
// EXCEPT again and the automatic budget is spent, the declaration comes back to attention (with
// its alert) instead of starting another series of automatic re-pushes.
#include "daemon/commands/commands.h"
#include "daemon/commands/selector.h"

namespace customsd {
void AddRedeclareCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<SelectorOptions>();
  CLI::App* cmd = app.add_subcommand(
      "redeclare", "re-push declarations to customs (only SUCCESS or EXCEPT ones)");
  AddSelectorOptions(*cmd, env, *opt, SelectorForms::kOneOrFilter);
  cmd->callback([opt, &env] {
    env.exit_code = RunSelectedChange(
        env, *opt, {"redeclare", "queued for a re-push", "would be queued for a re-push"},
        [&env](DeclarationStore& store) -> Planner {
          return [&env, &store](const DeclarationRecord& r) {
            auto unconfirmed = ModificationUnconfirmed(store, r);
            if (!unconfirmed.ok()) return OperatorPlan{.error = unconfirmed.status()};
            return PlanRedeclare(r, *unconfirmed, UnixMillis(env.clock.Now()));
          };
        });
  });
}

}  // namespace customsd
