#include "storage/declaration_rows.h"

#include <SQLiteCpp/Column.h>

namespace customsd {
namespace {

std::string Text(SQLite::Statement& q, int i) {
  SQLite::Column c = q.getColumn(i);
  return c.isNull() ? std::string() : c.getString();
}

std::optional<int64_t> OptInt(SQLite::Statement& q, int i) {
  SQLite::Column c = q.getColumn(i);
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

}  // namespace

const char* const kDeclarationColumns =
    "id, appid, mchid, out_trade_no, transaction_id, customs, merchant_customs_no, duty, "
    "sub_order_no, fee_type, order_fee, transport_fee, product_fee, sub_order_id, "
    "verify_department, verify_department_trade_id, explanation, modify_time, state, phase, "
    "attempts, next_attempt_at, last_error_code, last_error_message, last_http_status, "
    "created_at, updated_at, version, check_first, failures, redeclares, poll_started_at, "
    "accepted_content";

DeclarationRecord ReadDeclaration(SQLite::Statement& q) {
  DeclarationRecord r;
  r.id = q.getColumn(0).getInt64();
  DeclarationFields& f = r.fields;
  f.appid = Text(q, 1);
  f.mchid = Text(q, 2);
  f.out_trade_no = Text(q, 3);
  f.transaction_id = Text(q, 4);
  f.customs = Text(q, 5);
  f.merchant_customs_no = Text(q, 6);
  f.duty = OptInt(q, 7);
  f.sub_order_no = Text(q, 8);
  if (!q.getColumn(9).isNull()) f.fee_type = Text(q, 9);
  f.order_fee = OptInt(q, 10);
  f.transport_fee = OptInt(q, 11);
  f.product_fee = OptInt(q, 12);
  r.sub_order_id = Text(q, 13);
  r.verify_department = Text(q, 14);
  r.verify_department_trade_id = Text(q, 15);
  r.explanation = Text(q, 16);
  r.modify_time = Text(q, 17);
  r.state = ParseState(Text(q, 18)).value_or(State::kUndeclared);
  r.phase = ParsePhase(Text(q, 19)).value_or(Phase::kAttention);
  r.attempts = q.getColumn(20).getInt();
  r.next_attempt_at = q.getColumn(21).getInt64();
  r.last_error_code = Text(q, 22);
  r.last_error_message = Text(q, 23);
  if (auto s = OptInt(q, 24)) r.last_http_status = static_cast<int>(*s);
  r.created_at = q.getColumn(25).getInt64();
  r.updated_at = q.getColumn(26).getInt64();
  r.version = q.getColumn(27).getInt64();
  r.check_first = q.getColumn(28).getInt() != 0;
  r.failures = q.getColumn(29).getInt();
  r.redeclares = q.getColumn(30).getInt();
  r.poll_started_at = OptInt(q, 31);
  r.accepted_content = Text(q, 32);
  return r;
}

const char* const kEventColumns =
    "id, declaration_id, at, kind, from_state, to_state, from_phase, to_phase, http_status, "
    "error_code, message, request_id";

Event ReadEvent(SQLite::Statement& q) {
  Event e;
  e.id = q.getColumn(0).getInt64();
  e.declaration_id = q.getColumn(1).getInt64();
  e.at = q.getColumn(2).getInt64();
  e.kind = Text(q, 3);
  e.from_state = ParseState(Text(q, 4));
  e.to_state = ParseState(Text(q, 5));
  e.from_phase = ParsePhase(Text(q, 6));
  e.to_phase = ParsePhase(Text(q, 7));
  if (auto s = OptInt(q, 8)) e.http_status = static_cast<int>(*s);
  e.error_code = Text(q, 9);
  e.message = Text(q, 10);
  e.request_id = Text(q, 11);
  return e;
}

void BindOptional(SQLite::Statement& q, int index, const std::optional<int64_t>& v) {
  if (v) {
    q.bind(index, *v);
  } else {
    q.bind(index);
  }
}

void BindText(SQLite::Statement& q, int index, const std::optional<std::string>& v) {
  if (v) {
    q.bind(index, *v);
  } else {
    q.bind(index);
  }
}

void BindTextOrNull(SQLite::Statement& q, int index, const std::string& v) {
  if (v.empty()) {
    q.bind(index);
  } else {
    q.bind(index, v);
  }
}

}  // namespace customsd
