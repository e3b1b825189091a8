#include "daemon/workflow/operator_rules.h"

namespace customsd {
namespace {

constexpr const char* kInDoubt =
    "not changed: an earlier declare may have reached WeChat with the current values, and "
    "customsd has not found out yet; let it check ('customsd retry' if it needs attention), then "
    "modify it again";

std::string Shown(const DeclarationFields& f, const FieldSpec& spec) {
  if (spec.text != nullptr) return f.*spec.text;
  if (spec.optional_text != nullptr) return (f.*spec.optional_text).value_or("none");
  const std::optional<int64_t>& v = f.*spec.fen;
  return v ? std::to_string(*v) : "none";
}

}  // namespace

OperatorPlan PlanRetry(const DeclarationRecord& r, bool modification_unconfirmed, int64_t now) {
  OperatorPlan p;
  if (r.phase != Phase::kAttention && r.phase != Phase::kCancelled) {
    p.skip = "phase is " + std::string(ToString(r.phase)) +
             "; only declarations in attention (or cancelled) are retried";
    return p;
  }
  std::string why;
  if (modification_unconfirmed) {
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

OperatorPlan PlanRedeclare(const DeclarationRecord& r, bool modification_unconfirmed, int64_t now) {
  OperatorPlan p;
  if (r.state != State::kSuccess && r.state != State::kExcept) {
    p.skip = "state is " + std::string(ToString(r.state)) +
             "; only SUCCESS or EXCEPT declarations are re-pushed";
  } else if (r.phase == Phase::kCancelled) {
    p.skip = "cancelled; 'customsd retry' takes it back into work first";
  } else if (r.phase == Phase::kModify) {
    p.skip = "a modification is about to be sent; re-push after it is through";
  } else if (modification_unconfirmed) {
    p.skip =
        "WeChat has not confirmed its last modification; 'customsd retry' sends it again, "
        "'customsd modify' changes it";
  }
  if (!p.skip.empty()) return p;
  p.update.phase = Phase::kRedeclare;
  p.update.next_attempt_at = now;
  p.update.failures = 0;
  p.event.kind = "operator_redeclare";
  p.event.message = "re-push requested by an operator (state " + std::string(ToString(r.state)) +
                    ", " + std::to_string(r.redeclares) + " earlier re-pushes)";
  p.detail = "state " + std::string(ToString(r.state));
  return p;
}

OperatorPlan PlanCancel(const DeclarationRecord& r, const std::string& reason) {
  OperatorPlan p;
  if (r.phase == Phase::kCancelled) {
    p.skip = "already cancelled";
    return p;
  }
  if (r.phase == Phase::kDone) {
    p.skip = "settled (" + std::string(ToString(r.state)) + "); nothing to cancel";
    return p;
  }
  p.update.phase = Phase::kCancelled;
  p.event.kind = "operator_cancel";
  p.event.message = "cancelled by an operator" + (reason.empty() ? "" : ": " + reason);
  if (r.poll_started_at) {
    p.detail = "WeChat had accepted it; it stays filed there (WeChat Pay has no withdrawal call)";
  } else if (r.check_first) {
    p.detail = "an earlier declare may have reached WeChat";
  }
  return p;
}

OperatorPlan PlanModify(const DeclarationRecord& r, const DeclarationFields& fields, int64_t now) {
  OperatorPlan p;
  const bool accepted = r.poll_started_at.has_value();
  if (fields == r.fields) {
    p.skip = "already has these values";
    return p;
  }
  if (!accepted && r.check_first) {
    p.error = Status::FailedPrecondition(kInDoubt);
    return p;
  }
  if (r.phase == Phase::kCancelled) {
    p.skip = "cancelled";
    return p;
  }
  p.fields = fields;
  p.update.phase = accepted ? Phase::kModify : Phase::kSubmit;
  p.update.next_attempt_at = now;
  p.update.failures = 0;
  p.event.kind = "operator_modify";
  p.detail = FieldChanges(r.fields, fields);
  p.event.message = (accepted ? "to send to WeChat (PATCH): "
                              : "changed before WeChat accepted it; the declare sends them: ") +
                    p.detail;
  return p;
}

DeclarationRecord Projected(DeclarationRecord r, const OperatorPlan& p, int64_t now) {
  const DeclarationUpdate& u = p.update;
  if (p.fields) r.fields = *p.fields;
  if (u.state) r.state = *u.state;
  if (u.phase) r.phase = *u.phase;
  if (u.attempts) r.attempts = *u.attempts;
  if (u.next_attempt_at) r.next_attempt_at = *u.next_attempt_at;
  if (u.failures) r.failures = *u.failures;
  if (u.redeclares) r.redeclares = *u.redeclares;
  if (u.poll_started_at) r.poll_started_at = *u.poll_started_at;
  if (u.check_first) r.check_first = *u.check_first;
  r.updated_at = now;
  ++r.version;
  return r;
}

std::string FieldChanges(const DeclarationFields& from, const DeclarationFields& to) {
  std::string out;
  for (const FieldSpec& spec : kDeclarationFields) {
    if (!spec.modifiable) continue;
    std::string a = Shown(from, spec), b = Shown(to, spec);
    if (a == b) continue;
    out += (out.empty() ? "" : "; ") + std::string(spec.name) + " " + a + " -> " + b;
  }
  return out;
}

StatusOr<bool> ModificationUnconfirmed(DeclarationStore& store, const DeclarationRecord& r) {
  if (r.phase != Phase::kAttention) return false;
  auto events = store.Events(r.id);
  if (!events.ok()) return events.status();
  for (auto e = events->rbegin(); e != events->rend(); ++e) {
    if (e->to_phase == Phase::kAttention && e->from_phase != Phase::kAttention) {
      return e->from_phase == Phase::kModify;
    }
  }
  return false;
}

}  // namespace customsd
