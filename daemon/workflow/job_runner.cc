#include "daemon/workflow/job_runner.h"

#include <spdlog/spdlog.h>

#include "daemon/process/log_fields.h"
#include "daemon/workflow/accepted_content.h"

namespace customsd {
namespace {

// A refusal of the merchant's setup (its key everywhere, or its registration at this
// customs), not of the declaration: the declaration waits where it is and the engine holds the
// scope (JobReport).
bool IsMerchantProblem(const ApiOutcome& o) { return ScopeOf(o) != RefusalScope::kRequest; }

const QueryRecord* Match(const DeclarationRecord& r, const QueryResult& result) {
  for (const QueryRecord& item : result.records) {
    if (item.sub_order_no == r.fields.sub_order_no &&
        (item.customs.empty() || item.customs == r.fields.customs)) {
      return &item;
    }
  }
  return nullptr;
}

// The query that names r alone: its sub-order for a split order, else its WeChat order no.
QueryParams OwnQueryFor(const DeclarationRecord& r) {
  const DeclarationFields& f = r.fields;
  if (!f.sub_order_no.empty()) return {f.appid, f.mchid, "sub_order_no", f.sub_order_no, f.customs};
  return {f.appid, f.mchid, "transaction_id", f.transaction_id, f.customs};
}

// The answer to r's own query lists r when it names r's sub-order at r's customs and, where the
// answer says, r's payment (a sub_order_no is the merchant's and may recur in other orders).
const QueryRecord* MatchOwn(const DeclarationRecord& r, const QueryResult& result) {
  if (!result.transaction_id.empty() && result.transaction_id != r.fields.transaction_id) {
    return nullptr;
  }
  return Match(r, result);
}

// After an unknown modification: did WeChat take the new values?
bool ShowsModification(const DeclarationRecord& r, const QueryRecord& item) {
  const DeclarationFields& f = r.fields;
  return item.mch_customs_no == f.merchant_customs_no && item.duty == f.duty &&
         item.order_fee == f.order_fee && item.transport_fee == f.transport_fee &&
         item.product_fee == f.product_fee;
}

// A failure of the database itself (full, read-only, I/O, locked past its timeout), as
// opposed to this write losing a race.
bool IsStorageFailure(const Status& s) {
  switch (s.code()) {
    case StatusCode::kIoError:
    case StatusCode::kUnavailable:
    case StatusCode::kCorruption:
    case StatusCode::kInternal: return true;
    default: return false;
  }
}

QueryParams QueryFor(const DeclarationRecord& r) {
  return {r.fields.appid, r.fields.mchid, "out_trade_no", r.fields.out_trade_no, r.fields.customs};
}

}  // namespace

void JobRunner::Note(JobReport& report, const ApiOutcome& o) {
  ++report.requests;
  if (o.slow_down) report.slow_down = true;
  switch (ScopeOf(o)) {
    case RefusalScope::kMerchant:
      report.merchant_problem = o;
      return;
    case RefusalScope::kCustoms:
      // A signed refusal of the customs setup: the merchant's key and clock are fine.
      report.customs_problem = o;
      report.merchant_answered = true;
      return;
    case RefusalScope::kRequest:
      break;
  }
  if (o.http_status != 0) report.merchant_answered = true;
  // WeChat looked past the merchant's setup: it took the request, found or did not find the
  // record, or refused the declaration itself. A "try again" proves nothing either way.
  if (o.ok() || o.cls == OutcomeClass::kNotFound || o.cls == OutcomeClass::kRefused) {
    report.customs_answered = true;
  }
}

void JobRunner::PollFailed(const DeclarationRecord& r, const ApiOutcome& o, JobReport& report) {
  // A customs-level refusal of a query holds nothing (polls are never held back, so a held
  // declaration would be due again at once): it is retried with backoff like a passing fault,
  // and needs a person once the retries run out.
  if (ScopeOf(o) == RefusalScope::kCustoms) {
    Apply(r, rules_.Transient(r, o, /*unknown_send=*/r.check_first, Now()), report);
    return;
  }
  Failed(r, o, /*doubt=*/r.check_first, report);
}

bool JobRunner::Apply(const DeclarationRecord& r, const Decision& d, JobReport& report,
                      bool synced) {
  LogFields log_fields(r);  // the journal's DECLARATION_ID=, OUT_TRADE_NO=, ... of these lines
  const int64_t now = Now();
  Status s = DeclarationStore::Apply(db_, synced ? Durability::kSynced : Durability::kLazy, now,
                                     r.id, GuardOf(r), d);
  if (s.code() == StatusCode::kConflict) {
    ++report.conflicts;
    spdlog::warn("declaration {}: changed by another writer; skipped '{}'", Describe(r),
                 d.event.kind);
    return false;
  }
  if (!s.ok()) {
    // Only the first failure of a database in trouble is worth a line: the others would say
    // the same thing once per declaration, and StorageHealth logs what follows.
    const bool storage = IsStorageFailure(s);
    if (storage) report.storage_failure = true;
    const bool first = !storage || storage_ == nullptr || storage_->Failed(s);
    spdlog::log(first ? spdlog::level::err : spdlog::level::debug,
                "declaration {}: cannot record '{}': {}", Describe(r), d.event.kind, s.message());
    return false;
  }
  ++report.recorded;
  const Phase to = d.update.phase.value_or(r.phase);
  log_fields.SetState(d.update.state.value_or(r.state));
  if (observer_ != nullptr && to != r.phase) observer_->OnTransition(r.phase, to);
  auto level = d.alert ? spdlog::level::err : spdlog::level::info;
  spdlog::log(level, "declaration {}: {} -> {}/{}{}{}", Describe(r), d.event.kind,
              ToString(d.update.state.value_or(r.state)), ToString(to),
              d.event.request_id.empty() ? "" : " Request-ID " + d.event.request_id,
              d.event.message.empty() ? "" : ": " + d.event.message);
  return true;
}

void JobRunner::Failed(const DeclarationRecord& r, const ApiOutcome& o, bool doubt,
                       JobReport& report) {
  if (IsMerchantProblem(o)) {
    Apply(r, rules_.Held(r, o, doubt), report);
  } else if (o.cls == OutcomeClass::kRefused) {
    Apply(r, rules_.Refused(r, o, doubt, Now()), report);
  } else {
    Apply(r, rules_.Transient(r, o, doubt, Now()), report);
  }
}

std::optional<QueryRecord> JobRunner::Lookup(const DeclarationRecord& r, CustomsClient& client,
                                             JobReport& report, ApiResult<QueryResult>* result) {
  gate_.BeforeRequest();
  *result = client.Query(QueryFor(r));
  Note(report, result->outcome);
  if (!result->outcome.ok()) return std::nullopt;
  if (const QueryRecord* item = Match(r, *result->value)) return *item;
  return LookupOwn(r, client, report, result);
}

std::optional<QueryRecord> JobRunner::LookupOwn(const DeclarationRecord& r, CustomsClient& client,
                                                JobReport& report,
                                                ApiResult<QueryResult>* result) {
  // The order's answer did not list r, which proves nothing: a server pages as it likes and
  // may cut an answer short. Only r's own query can say that WeChat does not have it.
  gate_.BeforeRequest();
  *result = client.Query(OwnQueryFor(r));
  Note(report, result->outcome);
  if (!result->outcome.ok()) return std::nullopt;
  if (const QueryRecord* item = MatchOwn(r, *result->value)) return *item;
  // Answered, and r is not in it: as definite a "not found" as WeChat gives.
  result->outcome.cls = OutcomeClass::kNotFound;
  result->outcome.message = "not listed in WeChat's answer for its order, nor for its own " +
                            OwnQueryFor(r).order_type;
  result->value.reset();
  return std::nullopt;
}

bool JobRunner::NotSendable(const DeclarationRecord& r, JobReport& report) {
  const std::vector<std::string> changed = FieldsChangedSinceAccepted(r);
  if (changed.empty()) return false;
  Apply(r, rules_.ChangedSinceAccepted(r, changed, Now()), report);
  return true;
}

void JobRunner::Submit(const DeclarationRecord& r, CustomsClient& client, JobReport& report) {
  if (NotSendable(r, report)) return;
  Send(r, client, report,
       {.sent_kind = "declare_sent",
        .arrived = [](const QueryRecord&) { return true; },
        .send = [&r](CustomsClient& c) { return c.Declare(r.fields); },
        .answered =
            [&](const DeclarationRecord& sending, const ApiResult<DeclarationStatus>& answer) {
              if (answer.outcome.ok()) {
                Apply(sending,
                      rules_.Accepted(sending, *answer.value, answer.outcome, "declared", Now()),
                      report);
              } else {
                Failed(sending, answer.outcome, answer.outcome.cls == OutcomeClass::kUnknown,
                       report);
              }
            }});
}

void JobRunner::Poll(const std::vector<DeclarationRecord>& group, CustomsClient& client,
                     JobReport& report) {
  gate_.BeforeRequest();
  ApiResult<QueryResult> q = client.Query(QueryFor(group.front()));
  Note(report, q.outcome);
  if (observer_ != nullptr && (q.outcome.ok() || q.outcome.cls == OutcomeClass::kNotFound)) {
    observer_->OnPollSuccess(clock_.Now());
  }
  for (const DeclarationRecord& r : group) {
    // The answers of the others could not be stored either, and their own queries not be sent.
    if (report.storage_failure) break;
    if (!q.outcome.ok()) {
      PollFailed(r, q.outcome, report);
      continue;
    }
    if (const QueryRecord* item = Match(r, *q.value)) {
      Apply(r, rules_.Reported(r, *q.value, *item, q.outcome, Now()), report);
    } else {
      ApiResult<QueryResult> own;
      if (std::optional<QueryRecord> found = LookupOwn(r, client, report, &own)) {
        Apply(r, rules_.Reported(r, *own.value, *found, own.outcome, Now()), report);
      } else if (own.outcome.cls == OutcomeClass::kNotFound) {
        Apply(r, rules_.Transient(r, own.outcome, false, Now()), report);
      } else {
        PollFailed(r, own.outcome, report);
      }
    }
  }
}

void JobRunner::Redeclare(const DeclarationRecord& r, CustomsClient& client, JobReport& report) {
  if (NotSendable(r, report)) return;
  // WeChat only takes a re-push from EXCEPT (or SUCCESS); any other state means it arrived, and
  // a second one would be refused.
  Send(r, client, report,
       {.sent_kind = "redeclare_sent",
        .arrived = [](const QueryRecord& item) { return item.state != "EXCEPT"; },
        .counts_redeclare = true,
        .send =
            [&r](CustomsClient& c) {
              const DeclarationFields& f = r.fields;
              return c.Redeclare({f.appid, f.mchid, f.out_trade_no, f.customs,
                                  f.merchant_customs_no, f.sub_order_no});
            },
        .answered =
            [&](const DeclarationRecord& sending, const ApiResult<DeclarationStatus>& answer) {
              if (answer.outcome.ok()) {
                Apply(sending,
                      rules_.Accepted(sending, *answer.value, answer.outcome, "redeclared", Now()),
                      report);
              } else if (answer.outcome.cls == OutcomeClass::kUnknown) {
                Apply(sending, rules_.RedeclareUnknown(sending, answer.outcome, Now()), report);
              } else {
                Failed(sending, answer.outcome, /*doubt=*/false, report);
              }
            }});
}

void JobRunner::Modify(const DeclarationRecord& r, CustomsClient& client, JobReport& report) {
  Send(r, client, report,
       {.sent_kind = "modify_sent",
        .arrived = [&r](const QueryRecord& item) { return ShowsModification(r, item); },
        .send =
            [&r](CustomsClient& c) {
              const DeclarationFields& f = r.fields;
              return c.Modify({f.appid, f.mchid, f.out_trade_no, f.transaction_id, f.customs,
                               f.merchant_customs_no, f.sub_order_no, f.duty, f.order_fee,
                               f.transport_fee, f.product_fee});
            },
        .answered =
            [&](const DeclarationRecord& sending, const ApiResult<DeclarationStatus>& answer) {
              if (answer.outcome.ok()) {
                Apply(sending,
                      rules_.Accepted(sending, *answer.value, answer.outcome, "modified", Now()),
                      report);
              } else {
                Failed(sending, answer.outcome, answer.outcome.cls == OutcomeClass::kUnknown,
                       report);
              }
            }});
}

JobReport JobRunner::Run(const Job& job) {
  JobReport report;
  if (job.records.empty()) return report;
  // One query may serve several sub-orders: its lines name the order, Apply's the declaration.
  LogFields log_fields(job.records.front(), job.records.size() == 1 ? LogFields::Scope::kDeclaration
                                                                    : LogFields::Scope::kOrder);
  // Held to the end of the job, whatever a reload does meanwhile.
  const std::shared_ptr<CustomsClient> client = clients_(job.mchid());
  if (client == nullptr) {
    ApiOutcome o;
    o.cls = OutcomeClass::kRefused;
    o.code = "NOT_CONFIGURED";
    o.message = "merchant " + job.mchid() + " is not in the config";
    for (const DeclarationRecord& r : job.records) {
      if (report.storage_failure) break;
      Apply(r, rules_.Refused(r, o, /*doubt=*/r.check_first, Now()), report);
    }
    return report;
  }
  switch (job.kind) {
    case Job::Kind::kSubmit: Submit(job.records.front(), *client, report); break;
    case Job::Kind::kPoll: Poll(job.records, *client, report); break;
    case Job::Kind::kRedeclare: Redeclare(job.records.front(), *client, report); break;
    case Job::Kind::kModify: Modify(job.records.front(), *client, report); break;
  }
  return report;
}

}  // namespace customsd
