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
namespace {

Plan PlanRetry(DeclarationStore& store, const DeclarationRecord& r, int64_t now) {
  Plan p;
  if (r.phase != Phase::kAttention && r.phase != Phase::kCancelled) {
    p.skip = "phase is " + std::string(ToString(r.phase)) +
             "; only declarations in attention (or cancelled) are retried";
    return p;
  }
  auto unconfirmed = ModificationUnconfirmed(store, r);
  if (!unconfirmed.ok()) {
    p.error = unconfirmed.status();
    return p;
  }
  std::string why;
  if (*unconfirmed) {
    p.update.phase = Phase::kModify;
    why = "its modification was not confirmed by WeChat and is sent again";
  } else if (!r.poll_started_at) {
    p.update.phase = Phase::kSubmit;
    why = "WeChat has not accepted it yet";
  } else {
    p.update.phase = Phase::kPoll;
    p.update.poll_started_at = now;
    why = "polling deadline restarted";
  }
  p.update.failures = 0;
  p.update.attempts = 0;
  p.update.next_attempt_at = now;
  p.event.kind = "operator_retry";
  p.event.message = "put back to work by an operator: " + std::string(ToString(*p.update.phase)) +
                    " (" + why + ")";
  if (r.check_first) why += "; WeChat is asked first whether an earlier send arrived";
  p.detail = why;
  return p;
}

}  // namespace

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
                              return PlanRetry(store, r, UnixMillis(env.clock.Now()));
                            };
                          });
  });
}

}  // namespace customsd
