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
namespace {

Plan PlanRedeclare(DeclarationStore& store, const DeclarationRecord& r, int64_t now) {
  Plan p;
  if (r.state != State::kSuccess && r.state != State::kExcept) {
    p.skip = "state is " + std::string(ToString(r.state)) +
             "; only SUCCESS or EXCEPT declarations are re-pushed";
    return p;
  }
  if (r.phase == Phase::kCancelled) {
    p.skip = "cancelled; 'customsd retry' takes it back into work first";
    return p;
  }
  if (r.phase == Phase::kModify) {
    p.skip = "a modification is about to be sent; re-push after it is through";
    return p;
  }
  auto unconfirmed = ModificationUnconfirmed(store, r);
  if (!unconfirmed.ok()) {
    p.error = unconfirmed.status();
    return p;
  }
  if (*unconfirmed) {
    p.skip =
        "WeChat has not confirmed its last modification; 'customsd retry' sends it again, "
        "'customsd modify' changes it";
    return p;
  }
  p.update.phase = Phase::kRedeclare;
  p.update.next_attempt_at = now;
  p.update.failures = 0;
  p.event.kind = "operator_redeclare";
  p.event.message = "re-push requested by an operator (state " + std::string(ToString(r.state)) +
                    ", " + std::to_string(r.redeclares) + " earlier re-pushes)";
  p.detail = "state " + std::string(ToString(r.state));
  return p;
}

}  // namespace

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
            return PlanRedeclare(store, r, UnixMillis(env.clock.Now()));
          };
        });
  });
}

}  // namespace customsd
