// DeclarationStore::Transition: the guarded update every state or phase change goes through.
#include <SQLiteCpp/Statement.h>

#include <functional>
#include <string>
#include <vector>

#include "storage/declaration_rows.h"
#include "storage/declaration_store.h"
#include "storage/statement_cache.h"

namespace customsd {
namespace {

// One "col = ?" per set member, bound in the same order.
struct SetClause {
  std::string sql;
  std::vector<std::function<void(SQLite::Statement&, int)>> binds;

  void Text(const char* col, const std::optional<std::string>& v) {
    if (!v) return;
    Add(col, [value = *v](SQLite::Statement& q, int i) { BindTextOrNull(q, i, value); });
  }
  void Int(const char* col, const std::optional<int64_t>& v) {
    if (!v) return;
    Add(col, [value = *v](SQLite::Statement& q, int i) { q.bind(i, value); });
  }
  void Add(const char* col, std::function<void(SQLite::Statement&, int)> bind) {
    sql += std::string(", ") + col + " = ?";
    binds.push_back(std::move(bind));
  }
};

std::optional<std::string> Name(const std::optional<State>& s) {
  if (!s) return std::nullopt;
  return std::string(ToString(*s));
}
std::optional<std::string> Name(const std::optional<Phase>& p) {
  if (!p) return std::nullopt;
  return std::string(ToString(*p));
}

}  // namespace

Status DeclarationStore::Transition(int64_t id, const Guard& guard,
                                    const DeclarationUpdate& update, const EventDetails& event) {
  const int64_t now = UnixMillis(clock_.Now());
  return db_.Write([&](SQLite::Database& sql) {
    return TransitionIn(sql, now, id, guard, update, event);
  });
}

Status DeclarationStore::Apply(TransactionWriter& writer, Durability durability, int64_t now_ms,
                               int64_t id, const Guard& guard, const Decision& d) {
  auto write = [&](SQLite::Database& sql) -> Status {
    CUSTOMSD_RETURN_IF_ERROR(TransitionIn(sql, now_ms, id, guard, d.update, d.event));
    if (d.alert) InsertAlertIn(sql, *d.alert);
    return Status::Ok();
  };
  return durability == Durability::kSynced ? writer.Write(write) : writer.WriteLazy(write);
}

Status DeclarationStore::TransitionIn(SQLite::Database& sql, int64_t now_ms, int64_t id,
                                      const Guard& guard, const DeclarationUpdate& update,
                                      const EventDetails& event) {
  SetClause set;
  set.Text("state", Name(update.state));
  set.Text("phase", Name(update.phase));
  if (update.attempts) set.Int("attempts", *update.attempts);
  set.Int("next_attempt_at", update.next_attempt_at);
  set.Text("sub_order_id", update.sub_order_id);
  set.Text("verify_department", update.verify_department);
  set.Text("verify_department_trade_id", update.verify_department_trade_id);
  set.Text("explanation", update.explanation);
  set.Text("modify_time", update.modify_time);
  set.Text("last_error_code", update.last_error_code);
  set.Text("last_error_message", update.last_error_message);
  if (update.check_first) set.Int("check_first", *update.check_first ? 1 : 0);
  if (update.failures) set.Int("failures", *update.failures);
  if (update.redeclares) set.Int("redeclares", *update.redeclares);
  set.Int("poll_started_at", update.poll_started_at);
  if (update.last_http_status) {
    std::optional<int> status = *update.last_http_status;
    set.Add("last_http_status", [status](SQLite::Statement& q, int i) {
      if (status) {
        q.bind(i, *status);
      } else {
        q.bind(i);
      }
    });
  }

  PreparedStatement update_statement(
      sql, "UPDATE declarations SET updated_at = ?, version = version + 1" + set.sql +
               " WHERE id = ? AND state = ? AND phase = ? AND version = ?");
  SQLite::Statement& upd = *update_statement;
  int i = 1;
  upd.bind(i++, now_ms);
  for (auto& bind : set.binds) bind(upd, i++);
  upd.bind(i++, id);
  upd.bind(i++, std::string(ToString(guard.state)));
  upd.bind(i++, std::string(ToString(guard.phase)));
  upd.bind(i++, guard.version);
  if (upd.exec() != 1) {
    return Status::Conflict("declaration " + std::to_string(id) +
                            " changed under this update (expected " +
                            std::string(ToString(guard.state)) + "/" +
                            std::string(ToString(guard.phase)) + " version " +
                            std::to_string(guard.version) + ")");
  }

  PreparedStatement event_statement(
      sql,
      "INSERT INTO events (declaration_id, at, kind, from_state, to_state, from_phase, to_phase, "
      "http_status, error_code, message, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  SQLite::Statement& ev = *event_statement;
  ev.bind(1, id);
  ev.bind(2, now_ms);
  ev.bind(3, event.kind);
  ev.bind(4, std::string(ToString(guard.state)));
  ev.bind(5, std::string(ToString(update.state.value_or(guard.state))));
  ev.bind(6, std::string(ToString(guard.phase)));
  ev.bind(7, std::string(ToString(update.phase.value_or(guard.phase))));
  if (event.http_status) {
    ev.bind(8, *event.http_status);
  } else {
    ev.bind(8);
  }
  BindTextOrNull(ev, 9, event.error_code);
  BindTextOrNull(ev, 10, event.message);
  BindTextOrNull(ev, 11, event.request_id);
  ev.exec();
  return Status::Ok();
}

}  // namespace customsd
