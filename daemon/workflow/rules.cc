#include "daemon/workflow/rules.h"

#include <nlohmann/json.hpp>

namespace customsd {
namespace {

int64_t Ms(std::chrono::milliseconds d) { return d.count(); }

void RecordError(DeclarationUpdate& u, const ApiOutcome& o) {
  u.last_error_code = o.code.empty() ? std::string(ToString(o.cls)) : o.code;
  u.last_error_message = o.message;
  u.last_http_status = o.http_status == 0 ? std::optional<int>() : std::optional<int>(o.http_status);
}

void ClearError(DeclarationUpdate& u) {
  u.last_error_code = "";
  u.last_error_message = "";
  u.last_http_status = std::optional<int>();
}

EventDetails EventFrom(const std::string& kind, const ApiOutcome& o, std::string message) {
  EventDetails e;
  e.kind = kind;
  if (o.http_status != 0) e.http_status = o.http_status;
  e.error_code = o.code;
  e.message = std::move(message);
  e.request_id = o.request_id;
  return e;
}

}  // namespace

WorkflowSettings SettingsFromConfig(const Config& config) {
  return {config.poll, config.retry, config.redeclare};
}

std::string Describe(const DeclarationRecord& r) {
  return KeyOf(r.fields).ToString() + " (id " + std::to_string(r.id) + ")";
}

Decision Rules::Attention(const DeclarationRecord& r, Decision d, const std::string& cause,
                          const std::string& why, const std::string& next_step,
                          int64_t now) const {
  // check_first is left alone: after 'customsd retry' a doubtful send is still checked first.
  d.update.phase = Phase::kAttention;
  NewAlert a;
  a.declaration_id = r.id;
  a.mchid = r.fields.mchid;
  a.cause = cause;
  // One alert per (declaration, cause) and episode: the version it had when the cause arose
  // keys it, so a crash-repeated write stays one alert, while the same refusal after an
  // operator's retry (a new version) alerts again.
  a.dedupe_key = "declaration:" + std::to_string(r.id) + ":" + cause + ":v" +
                 std::to_string(r.version);
  a.summary = "customs declaration " + KeyOf(r.fields).ToString() + " needs attention: " + why +
              ". Next: " + next_step;
  a.details = nlohmann::json{{"id", r.id},
                             {"mchid", r.fields.mchid},
                             {"out_trade_no", r.fields.out_trade_no},
                             {"sub_order_no", r.fields.sub_order_no},
                             {"customs", r.fields.customs},
                             {"cause", cause},
                             {"why", why},
                             {"next_step", next_step}}
                  .dump();
  a.created_at = now;
  d.alert = std::move(a);
  return d;
}

Decision Rules::Accepted(const DeclarationRecord& r, const DeclarationStatus& answer,
                         const ApiOutcome& outcome, const std::string& kind, int64_t now) const {
  Decision d;
  if (auto state = ParseState(answer.state)) d.update.state = *state;
  d.update.phase = Phase::kPoll;
  d.update.attempts = 0;
  d.update.failures = 0;
  d.update.check_first = false;
  d.update.poll_started_at = now;
  d.update.next_attempt_at = now + Ms(s_.poll.first_delay);
  if (!answer.sub_order_id.empty()) d.update.sub_order_id = answer.sub_order_id;
  if (!answer.verify_department.empty()) d.update.verify_department = answer.verify_department;
  if (!answer.verify_department_trade_id.empty()) {
    d.update.verify_department_trade_id = answer.verify_department_trade_id;
  }
  if (!answer.explanation.empty()) d.update.explanation = answer.explanation;
  if (!answer.modify_time.empty()) d.update.modify_time = answer.modify_time;
  if (kind == "redeclared") d.update.redeclares = r.redeclares + 1;
  ClearError(d.update);
  d.event = EventFrom(kind, outcome, "WeChat answered state " + answer.state);
  return d;
}

Decision Rules::ChangedSinceAccepted(const DeclarationRecord& r,
                                     const std::vector<std::string>& fields, int64_t now) const {
  std::string names;
  for (const std::string& f : fields) names += (names.empty() ? "" : ", ") + f;
  Decision d;
  d.event.kind = "changed_since_accepted";
  d.event.message = "not sent: " + names + " differ from what WeChat Pay accepted";
  return Attention(r, std::move(d), "changed_since_accepted",
                   "its " + names + " differ from what WeChat Pay accepted (changed by hand?), "
                   "and sending them as a new declaration would file different content",
                   "put the accepted values back, or send the new ones with 'customsd modify', "
                   "then 'customsd retry'",
                   now);
}

Decision Rules::Reported(const DeclarationRecord& r, const QueryResult& result,
                         const QueryRecord& item, const ApiOutcome& outcome, int64_t now) const {
  Decision d;
  const std::optional<State> state = ParseState(item.state);
  if (state) d.update.state = *state;
  d.update.explanation = item.explanation;  // a settled state must not keep an old explanation
  if (!item.modify_time.empty()) d.update.modify_time = item.modify_time;
  if (!item.sub_order_id.empty()) d.update.sub_order_id = item.sub_order_id;
  if (!result.verify_department.empty()) d.update.verify_department = result.verify_department;
  if (!result.verify_department_trade_id.empty()) {
    d.update.verify_department_trade_id = result.verify_department_trade_id;
  }
  d.update.failures = 0;
  d.update.check_first = false;
  d.update.attempts = r.attempts + 1;
  ClearError(d.update);
  const int64_t poll_started = r.poll_started_at.value_or(now);
  if (!r.poll_started_at) d.update.poll_started_at = now;
  std::string message = "WeChat reports " + item.state;
  if (!item.explanation.empty()) message += ": " + item.explanation;
  d.event = EventFrom("polled", outcome, message);

  if (state == State::kSuccess) {
    d.update.phase = Phase::kDone;
    return d;
  }
  if (state == State::kFail) {
    d.update.phase = Phase::kDone;
    d.alert = Attention(r, {}, "FAIL", "customs declaration FAILED" +
                                           (item.explanation.empty() ? "" : ": " + item.explanation),
                        "correct the order data and use 'customsd modify', or contact customs",
                        now)
                  .alert;
    return d;
  }
  if (state == State::kExcept) {
    if (s_.redeclare.on_except && r.redeclares < s_.redeclare.max_attempts) {
      d.update.phase = Phase::kRedeclare;
      d.update.next_attempt_at = now + (r.redeclares == 0 ? 0 : Ms(s_.redeclare.interval));
      return d;
    }
    const std::string why = s_.redeclare.on_except
                                ? "customs interface error (EXCEPT) after " +
                                      std::to_string(r.redeclares) + " re-pushes"
                                : "customs interface error (EXCEPT); automatic re-push is off";
    return Attention(r, std::move(d), "EXCEPT", why,
                     "check with WeChat Pay or customs, then 'customsd redeclare'", now);
  }
  if (now - poll_started >= Ms(s_.poll.deadline)) {
    return Attention(r, std::move(d), "deadline",
                     "no final state after " + std::to_string(Ms(s_.poll.deadline) / 1000) +
                         " s of polling (last state " + item.state + ")",
                     "ask WeChat Pay support with the Request-ID, then 'customsd retry'", now);
  }
  d.update.phase = Phase::kPoll;
  d.update.next_attempt_at = now + Ms(EqualJitter(s_.poll.backoff, r.attempts + 1, random_));
  return d;
}

Decision Rules::Transient(const DeclarationRecord& r, const ApiOutcome& outcome,
                          bool unknown_send, int64_t now) const {
  Decision d;
  const int failures = r.failures + 1;
  d.update.failures = failures;
  RecordError(d.update, outcome);
  // Only an answer clears the doubt; a retry-class answer proves nothing was applied.
  d.update.check_first = unknown_send;
  d.event = EventFrom(outcome.cls == OutcomeClass::kUnknown ? "unknown_outcome" : "retry", outcome,
                      outcome.ToString());
  if (failures >= s_.retry.max_attempts) {
    return Attention(r, std::move(d), "retries_exhausted",
                     std::to_string(failures) + " attempts failed, last: " + outcome.ToString(),
                     "check connectivity and WeChat Pay's status, then 'customsd retry'", now);
  }
  d.update.next_attempt_at = now + Ms(FullJitter(s_.retry.backoff, failures, random_));
  return d;
}

Decision Rules::Refused(const DeclarationRecord& r, const ApiOutcome& outcome, bool doubt,
                        int64_t now) const {
  Decision d;
  RecordError(d.update, outcome);
  d.update.check_first = doubt;
  d.event = EventFrom("refused", outcome, outcome.message);
  return Attention(r, std::move(d), "refused:" + CanonicalErrorCode(outcome.code),
                   "WeChat refused it: " + outcome.code + " " + outcome.message +
                       (outcome.detail.empty() ? "" : " " + outcome.detail),
                   "fix the declaration ('customsd modify') or the merchant setup, then "
                   "'customsd retry'",
                   now);
}

Decision Rules::Held(const DeclarationRecord& /*r*/, const ApiOutcome& outcome,
                      bool doubt) const {
  Decision d;
  RecordError(d.update, outcome);
  d.update.check_first = doubt;
  const bool customs = ScopeOf(outcome) == RefusalScope::kCustoms;
  d.event = EventFrom(customs ? "customs_held" : "merchant_held", outcome, outcome.ToString());
  return d;
}

Decision Rules::RedeclareUnknown(const DeclarationRecord& r, const ApiOutcome& outcome,
                                 int64_t now) const {
  Decision d;
  RecordError(d.update, outcome);
  d.update.phase = Phase::kPoll;
  d.update.check_first = false;            // the poll tells whether it arrived
  d.update.redeclares = r.redeclares + 1;  // counted as sent: the limit must hold either way
  d.update.poll_started_at = now;
  d.update.next_attempt_at = now + Ms(s_.poll.first_delay);
  d.event = EventFrom("unknown_outcome", outcome, outcome.ToString());
  return d;
}

}  // namespace customsd
