#include "daemon/workflow/operator_change.h"

#include "storage/declaration_fields_update.h"

namespace customsd {

Status ApplyOperatorPlan(Database& db, DeclarationStore& store, const DeclarationRecord& r,
                         const OperatorPlan& p, int64_t now) {
  if (!p.skip.empty() || !p.error.ok()) {
    return Status::InvalidInput("declaration " + std::to_string(r.id) + ": nothing to apply");
  }
  if (p.fields) {
    return UpdateFieldsAndTransition(db, now, r.id, GuardOf(r), *p.fields, p.update, p.event);
  }
  return store.Transition(r.id, GuardOf(r), p.update, p.event);
}

}  // namespace customsd
