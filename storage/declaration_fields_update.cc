#include "storage/declaration_fields_update.h"

#include <SQLiteCpp/Statement.h>

#include <string>

#include "storage/declaration_rows.h"

namespace customsd {
namespace {

bool SameIdentity(const DeclarationFields& a, const DeclarationFields& b) {
  return KeyOf(a) == KeyOf(b) && a.appid == b.appid && a.transaction_id == b.transaction_id &&
         a.fee_type == b.fee_type;
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
  SQLite::Statement q(sql, std::string("SELECT ") + kDeclarationColumns +
                               " FROM declarations WHERE id = ? AND state = ? AND phase = ? "
                               "AND version = ?");
  q.bind(1, id);
  q.bind(2, std::string(ToString(guard.state)));
  q.bind(3, std::string(ToString(guard.phase)));
  q.bind(4, guard.version);
  if (!q.executeStep()) return Lost(id, guard);
  const DeclarationRecord stored = ReadDeclaration(q);
  if (!SameIdentity(stored.fields, new_fields)) {
    return Status::InvalidInput("declaration " + std::to_string(id) +
                                ": only merchant_customs_no, duty, order_fee, transport_fee and "
                                "product_fee can be changed");
  }

  SQLite::Statement upd(sql,
                        "UPDATE declarations SET merchant_customs_no = ?, duty = ?, order_fee = ?, "
                        "transport_fee = ?, product_fee = ?, version = version + 1 "
                        "WHERE id = ? AND version = ?");
  upd.bind(1, new_fields.merchant_customs_no);
  BindOptional(upd, 2, new_fields.duty);
  BindOptional(upd, 3, new_fields.order_fee);
  BindOptional(upd, 4, new_fields.transport_fee);
  BindOptional(upd, 5, new_fields.product_fee);
  upd.bind(6, id);
  upd.bind(7, guard.version);
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
