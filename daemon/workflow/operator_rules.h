// What an operator's request does to one declaration: retry, redeclare, cancel, modify, from
// the CLI or any other front end. Like rules.h these are pure functions of the record and the
// facts the caller read (no I/O, no clock), so each transition is tested with plain values;
// the caller applies the plan as one guarded transition (OperatorChange in storage terms: the
// update, its event and, for modify, the new fields, in one transaction).
//
//   retry      attention/cancelled -> modify (the modification WeChat never confirmed is sent
//              again), submit (WeChat never accepted it) or poll (deadline restarted); failures
//              and attempts 0, due now. check_first stays: a doubtful send is checked first.
//   redeclare  SUCCESS/EXCEPT -> redeclare, due now; never overtakes a modification still to
//              be sent. The re-push count is not reset (see redeclare_command.cc).
//   cancel     any phase but done/cancelled -> cancelled.
//   modify     accepted -> modify (PATCH); not accepted -> submit with the new values; refused
//              while an earlier declare's outcome is unknown (WeChat may hold the old values).
#pragma once

#include <optional>
#include <string>

#include "common/declaration.h"
#include "common/status.h"
#include "storage/declaration_store.h"

namespace customsd {

// What was decided for one declaration.
struct OperatorPlan {
  std::string skip;  // not empty: left alone, and this says why
  Status error;      // not ok: refused (reported, exit 1 / HTTP 409)
  DeclarationUpdate update;
  EventDetails event;
  std::optional<DeclarationFields> fields;  // new field values (modify)
  std::string detail;                       // a short note for the operator's output
};

// `modification_unconfirmed`: what ModificationUnconfirmed() read for this record.
OperatorPlan PlanRetry(const DeclarationRecord& r, bool modification_unconfirmed, int64_t now);
OperatorPlan PlanRedeclare(const DeclarationRecord& r, bool modification_unconfirmed, int64_t now);
OperatorPlan PlanCancel(const DeclarationRecord& r, const std::string& reason);
// `fields`: the declaration's values after the change, already validated by the caller.
OperatorPlan PlanModify(const DeclarationRecord& r, const DeclarationFields& fields, int64_t now);

// The record as it will be once `p` is applied: what a dry run shows.
DeclarationRecord Projected(DeclarationRecord r, const OperatorPlan& p, int64_t now);

// "merchant_customs_no 123456 -> 654321; duty 88 -> 90": the fields an operator may change
// that differ, in the field table's order.
std::string FieldChanges(const DeclarationFields& from, const DeclarationFields& to);

// True when the declaration entered `attention` from phase `modify`: WeChat has not confirmed
// the modification whose values the row holds, so a retry must send it again (not just poll),
// and a re-push must wait. Reads the event history (the one function here that reads).
StatusOr<bool> ModificationUnconfirmed(DeclarationStore& store, const DeclarationRecord& r);

}  // namespace customsd
