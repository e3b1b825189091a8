// JobRunner's send protocol (send_protocol.h): the one place a declare, a modification or a
// re-push is sent from.
#include "daemon/workflow/send_protocol.h"

#include "daemon/workflow/job_runner.h"

namespace customsd {

void JobRunner::Send(const DeclarationRecord& r, CustomsClient& client, JobReport& report,
                     const SendSteps& steps) {
  if (r.check_first) {  // step 1
    ApiResult<QueryResult> q;
    std::optional<QueryRecord> item = Lookup(r, client, report, &q);
    if (item && steps.arrived(*item)) {
      Decision d = rules_.Reported(r, *q.value, *item, q.outcome, Now());
      if (steps.counts_redeclare) d.update.redeclares = r.redeclares + 1;
      Apply(r, d, report);
      return;
    }
    // Only "WeChat does not have it" allows sending again; anything else keeps the doubt.
    if (!q.outcome.ok() && q.outcome.cls != OutcomeClass::kNotFound) {
      Failed(r, q.outcome, /*doubt=*/true, report);
      return;
    }
  }
  std::optional<DeclarationRecord> sending = BeginSend(r, steps.sent_kind, report);  // step 2
  if (!sending) return;
  gate_.BeforeRequest();
  ApiResult<DeclarationStatus> answer = steps.send(client);  // step 3
  Note(report, answer.outcome);
  steps.answered(*sending, answer);  // step 4
}

std::optional<DeclarationRecord> JobRunner::BeginSend(const DeclarationRecord& r,
                                                      const std::string& kind, JobReport& report) {
  Decision d;
  d.update.attempts = r.attempts + 1;
  d.update.check_first = true;
  d.event.kind = kind;
  d.event.message = "attempt " + std::to_string(r.attempts + 1);
  if (!Apply(r, d, report, /*synced=*/true)) return std::nullopt;
  DeclarationRecord after = r;
  after.attempts = r.attempts + 1;
  after.check_first = *d.update.check_first;
  after.version = r.version + 1;
  return after;
}

}  // namespace customsd
