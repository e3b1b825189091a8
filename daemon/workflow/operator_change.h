// Applying an operator's plan (operator_rules.h): the one write every front end makes for
// retry, redeclare, cancel and modify.
//
// Contract: one guarded transaction. The plan's update and event, and for a modify the new
// field values, commit together, or nothing does. When the row is no longer at `r`'s state,
// phase and version (the daemon or another operator changed it meanwhile), kConflict and
// nothing changes. A plan that skips or holds an error must not be applied (kInvalidInput).
#pragma once

#include "common/status.h"
#include "daemon/workflow/operator_rules.h"
#include "storage/database.h"
#include "storage/declaration_store.h"

namespace customsd {

[[nodiscard]] Status ApplyOperatorPlan(Database& db, DeclarationStore& store,
                                       const DeclarationRecord& r, const OperatorPlan& p,
                                       int64_t now);

}  // namespace customsd
