// The workflow's rules: what a declaration's row becomes after each step's outcome.
//
// Pure functions of (record, outcome, now, settings, randomness): no I/O, no clock, so every
// rule is tested with plain values. The job runner applies the returned Decision as one
// guarded transition (plus its alert, in the same transaction).
//
//   submit ok            -> poll, first poll after poll.first_delay
//   poll SUCCESS         -> done;  FAIL -> done + alert
//   poll EXCEPT          -> redeclare (up to redeclare.max_attempts, spaced by
//                           redeclare.interval) when redeclare.on_except, else attention + alert
//   poll other states    -> poll again (exponential backoff, equal jitter); past poll.deadline
//                           -> attention + alert
//   retry outcome        -> same step again (exponential backoff, full jitter); after
//                           retry.max_attempts consecutive failures -> attention + alert
//   unknown outcome      -> as retry, and the next step queries before it resends
//   refused              -> attention + alert, with WeChat's code and message
#pragma once

#include <optional>
#include <string>

#include "common/backoff.h"
#include "daemon/config/config.h"
#include "storage/alert_store.h"
#include "storage/declaration_store.h"
#include "wechatpay/customs_types.h"

namespace customsd {

struct WorkflowSettings {
  Config::Poll poll;
  Config::Retry retry;
  Config::Redeclare redeclare;
};
WorkflowSettings SettingsFromConfig(const Config& config);

class Rules {
 public:
  Rules(WorkflowSettings settings, Random& random) : s_(std::move(settings)), random_(random) {}

  // WeChat accepted a declare, a modification or a re-push; polling starts.
  Decision Accepted(const DeclarationRecord& r, const DeclarationStatus& answer,
                    const ApiOutcome& outcome, const std::string& kind, int64_t now) const;

  // The row's sent fields differ from what WeChat accepted (accepted_content.h): nothing is
  // sent, a person decides.
  Decision ChangedSinceAccepted(const DeclarationRecord& r, const std::vector<std::string>& fields,
                                int64_t now) const;

  // A query reported `item` for this declaration.
  Decision Reported(const DeclarationRecord& r, const QueryResult& result, const QueryRecord& item,
                    const ApiOutcome& outcome, int64_t now) const;

  // kRetry, kUnknown, or a query that did not list this declaration. `unknown_send`: a
  // declare or modification may have been applied (or still may have been), so the next step
  // must query first; false clears that mark.
  Decision Transient(const DeclarationRecord& r, const ApiOutcome& outcome, bool unknown_send,
                     int64_t now) const;

  // WeChat refused this declaration: a person must look. `doubt`: an earlier send may still
  // have been applied without our knowing (the refusal answered a query, not the send itself,
  // or no answer came at all); false when the refusal is the signed, verified answer to the
  // send, which proves that send was not applied, so check_first is cleared and an operator may
  // correct the declaration at once.
  Decision Refused(const DeclarationRecord& r, const ApiOutcome& outcome, bool doubt,
                   int64_t now) const;

  // WeChat refused the merchant's setup, not this declaration: as a whole (SIGN_ERROR; event
  // "merchant_held") or at the declaration's customs (NOAUTH, customs not configured,
  // Self-Clearance off; event "customs_held"). The declaration stays where it is, its error is
  // recorded, and the caller holds the scope. `doubt`: an earlier send may still have been
  // applied (check_first stays set).
  Decision Held(const DeclarationRecord& r, const ApiOutcome& outcome, bool doubt) const;

  // A re-push whose outcome is unknown: poll next; the query tells whether it arrived.
  Decision RedeclareUnknown(const DeclarationRecord& r, const ApiOutcome& outcome,
                            int64_t now) const;

 private:
  Decision Attention(const DeclarationRecord& r, Decision d, const std::string& cause,
                     const std::string& why, const std::string& next_step, int64_t now) const;

  WorkflowSettings s_;
  Random& random_;
};

// "1230000109/ORDER/SUB/SHANGHAI_ZS (id 42)": how alerts and logs name a declaration.
std::string Describe(const DeclarationRecord& r);

}  // namespace customsd
