// customsd retry SELECTOR: puts declarations that need a person back to work.
//
// Only declarations in phase `attention` or `cancelled` (undoing a cancel) change; others are
// skipped with a note. Each goes to
//   modify  when it entered attention from `modify` (WeChat never confirmed the modification
//           whose values the row holds, so it is sent again rather than silently dropped),
//   submit  when WeChat never accepted it (no poll_started_at),
//   poll    otherwise, with the polling deadline restarted (poll_started_at = now), since a
//           declaration that ran out of polling time would otherwise fall back at once;
// with failures and attempts at 0, due now, and an "operator_retry" event. check_first stays:
// a send whose outcome is unknown is still checked before anything is sent again.
#include "daemon/commands/commands.h"
#include "daemon/commands/selector.h"

namespace customsd {
void AddRetryCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<SelectorOptions>();
  CLI::App* cmd = app.add_subcommand(
      "retry", "put declarations that need attention back to work (submit, poll or modify)");
  AddSelectorOptions(*cmd, env, *opt, SelectorForms::kOneOrFilter);
  cmd->callback([opt, &env] {
    env.exit_code =
        RunSelectedChange(env, *opt, {"retry", "put back to work", "would be put back to work"},
                          [&env](DeclarationStore& store) -> Planner {
                            return [&env, &store](const DeclarationRecord& r) {
                              auto unconfirmed = ModificationUnconfirmed(store, r);
                              if (!unconfirmed.ok())
                                return OperatorPlan{.error = unconfirmed.status()};
                              return PlanRetry(r, *unconfirmed, UnixMillis(env.clock.Now()));
                            };
                          });
  });
}

}  // namespace customsd
