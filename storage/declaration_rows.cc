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

const std::string& FieldColumns(bool modifiable_only) {
  static const std::string kAll = [] {
    std::string out;
    for (const FieldSpec& spec : kDeclarationFields) {
      out += (out.empty() ? "" : ", ") + std::string(spec.name);
    }
    return out;
  }();
  static const std::string kModifiable = [] {
    std::string out;
    for (const FieldSpec& spec : kDeclarationFields) {
      if (spec.modifiable) out += (out.empty() ? "" : ", ") + std::string(spec.name);
    }
    return out;
  }();
  return modifiable_only ? kModifiable : kAll;
}

const std::string& DeclarationColumns() {
  static const std::string kColumns =
      "id, " + FieldColumns() +
      ", sub_order_id, verify_department, verify_department_trade_id, explanation, modify_time, "
      "state, phase, attempts, next_attempt_at, last_error_code, last_error_message, "
      "last_http_status, created_at, updated_at, version, check_first, failures, redeclares, "
      "poll_started_at, accepted_content";
  return kColumns;
}

DeclarationRecord ReadDeclaration(SQLite::Statement& q) {
  DeclarationRecord r;
  r.id = q.getColumn(0).getInt64();
  int i = 1;
  for (const FieldSpec& spec : kDeclarationFields) {
    if (spec.text != nullptr) {
      r.fields.*spec.text = Text(q, i);
    } else if (spec.optional_text != nullptr) {
      if (!q.getColumn(i).isNull()) r.fields.*spec.optional_text = Text(q, i);
    } else {
      r.fields.*spec.fen = OptInt(q, i);
    }
    ++i;
  }
  static_assert(kDeclarationFields.size() == 12, "the columns below start at 13");
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

void BindField(SQLite::Statement& q, int index, const FieldSpec& spec, const DeclarationFields& f) {
  if (spec.text != nullptr) {
    q.bind(index, f.*spec.text);
  } else if (spec.optional_text != nullptr) {
    BindText(q, index, f.*spec.optional_text);
  } else {
    BindOptional(q, index, f.*spec.fen);
  }
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
