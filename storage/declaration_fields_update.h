// Changing a stored declaration's modifiable fields: what 'customsd modify' needs and
// DeclarationStore does not offer.
//
// Contract:
// - Only merchant_customs_no, duty, order_fee, transport_fee and product_fee change. The key
//   (mchid, out_trade_no, sub_order_no, customs), appid, transaction_id and fee_type of
//   `new_fields` must equal the stored ones, else kInvalidInput and nothing changes.
// - The change is guarded like DeclarationStore::Transition: when the row is no longer at the
//   guard's state, phase and version, kConflict and nothing changes.
// - Validation of the values is the caller's (ValidateDeclaration); the database only enforces
//   its CHECK constraints.
// - Errors are Status values; no exception leaves these functions.
//
// Thread safety: as Database (one connection, one thread at a time).
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>

#include "common/declaration.h"
#include "common/status.h"
#include "storage/database.h"
#include "storage/declaration_store.h"

namespace customsd {

// Writes the fields inside a transaction the caller holds (Database::Write) and bumps the row's
// version (an update that leaves it alone is taken for a hand edit, see migration 0007), but
// writes no event: call DeclarationStore::TransitionIn right after it, in the same transaction,
// with the guard's version + 1, as UpdateFieldsAndTransition does.
// Throws SQLite::Exception on database errors, like the other *In helpers.
Status UpdateFieldsIn(SQLite::Database& sql, int64_t id, const Guard& guard,
                      const DeclarationFields& new_fields);

// UpdateFieldsIn and TransitionIn in one transaction: both happen, or neither.
Status UpdateFieldsAndTransition(Database& db, int64_t now_ms, int64_t id, const Guard& guard,
                                 const DeclarationFields& new_fields,
                                 const DeclarationUpdate& update, const EventDetails& event);

}  // namespace customsd
