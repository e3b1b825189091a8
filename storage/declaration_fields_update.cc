#include "storage/declaration_fields_update.h"

#include <SQLiteCpp/Statement.h>

#include <string>

#include "storage/declaration_rows.h"

namespace customsd {
namespace {

// The fields a modification may not change are equal.
bool SameIdentity(const DeclarationFields& a, const DeclarationFields& b) {
  DeclarationFields b_with_a_values = b;
  for (const FieldSpec& spec : kDeclarationFields) {
    if (!spec.modifiable) continue;
    if (spec.text != nullptr) b_with_a_values.*spec.text = a.*spec.text;
    if (spec.optional_text != nullptr) b_with_a_values.*spec.optional_text = a.*spec.optional_text;
    if (spec.fen != nullptr) b_with_a_values.*spec.fen = a.*spec.fen;
  }
  return a == b_with_a_values;
}

Status Lost(int64_t id, const Guard& guard) {
  return Status::Conflict(
      "declaration " + std::to_string(id) + " changed under this update (expected " +
      std::string(ToString(guard.state)) + "/" + std::string(ToString(guard.phase)) + " version " +
      std::to_string(guard.version) + ")");
}

}  // namespace

Status UpdateFieldsIn(SQLite::Database& sql, int64_t id, const Guard& guard,
                      const DeclarationFields& new_fields) {
  SQLite::Statement q(sql, "SELECT " + DeclarationColumns() +
                               " FROM declarations WHERE id = ? AND state = ? AND phase = ? "
                               "AND version = ?");
  q.bind(1, id);
  q.bind(2, std::string(ToString(guard.state)));
  q.bind(3, std::string(ToString(guard.phase)));
  q.bind(4, guard.version);
  if (!q.executeStep()) return Lost(id, guard);
  const DeclarationRecord stored = ReadDeclaration(q);
  if (!SameIdentity(stored.fields, new_fields)) {
    return Status::InvalidInput("declaration " + std::to_string(id) + ": only " +
                                FieldColumns(/*modifiable_only=*/true) + " can be changed");
  }

  static const std::string kUpdate = [] {
    std::string sets;
    for (const FieldSpec& spec : kDeclarationFields) {
      if (spec.modifiable) sets += std::string(spec.name) + " = ?, ";
    }
    return "UPDATE declarations SET " + sets + "version = version + 1 WHERE id = ? AND version = ?";
  }();
  SQLite::Statement upd(sql, kUpdate);
  int index = 1;
  for (const FieldSpec& spec : kDeclarationFields) {
    if (spec.modifiable) BindField(upd, index++, spec, new_fields);
  }
  upd.bind(index++, id);
  upd.bind(index, guard.version);
  if (upd.exec() != 1) return Lost(id, guard);
  return Status::Ok();
}

Status UpdateFieldsAndTransition(Database& db, int64_t now_ms, int64_t id, const Guard& guard,
                                 const DeclarationFields& new_fields,
                                 const DeclarationUpdate& update, const EventDetails& event) {
  return db.Write([&](SQLite::Database& sql) -> Status {
    CUSTOMSD_RETURN_IF_ERROR(UpdateFieldsIn(sql, id, guard, new_fields));
    Guard updated = guard;
    ++updated.version;  // the fields' update bumped it
    return DeclarationStore::TransitionIn(sql, now_ms, id, updated, update, event);
  });
}

}  // namespace customsd
