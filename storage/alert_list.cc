#include "storage/alert_list.h"

#include <SQLiteCpp/Statement.h>

#include <variant>

namespace customsd {
namespace {

using Value = std::variant<int64_t, std::string>;

std::string SelectAlerts() {
  return std::string("SELECT ") + kPendingAlertColumns +
         ", delivered_at, acknowledged_at, acknowledged_by FROM alerts";
}

std::optional<int64_t> IntOrNone(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

AlertRecord RowOf(SQLite::Statement& q) {
  AlertRecord a;
  static_cast<PendingAlert&>(a) = PendingAlertFrom(q);
  const int n = kPendingAlertColumnCount;
  a.delivered_at = IntOrNone(q.getColumn(n));
  a.acknowledged_at = IntOrNone(q.getColumn(n + 1));
  const SQLite::Column by = q.getColumn(n + 2);
  a.acknowledged_by = by.isNull() ? "" : by.getString();
  return a;
}

// " WHERE ..." for the filter (paging included when `paged`), with the values to bind.
std::string WhereOf(const AlertFilter& f, bool paged, std::vector<Value>& values) {
  std::string where;
  auto add = [&](const std::string& condition, std::optional<Value> value = std::nullopt) {
    where += (where.empty() ? " WHERE " : " AND ") + condition;
    if (value) values.push_back(std::move(*value));
  };
  if (!f.include_acknowledged) add("acknowledged_at IS NULL");
  if (!f.cause.empty()) add("cause = ?", f.cause);
  if (!f.mchid.empty()) add("mchid = ?", f.mchid);
  if (f.declaration_id) add("declaration_id = ?", *f.declaration_id);
  if (f.created_since) add("created_at >= ?", *f.created_since);
  if (f.created_until) add("created_at < ?", *f.created_until);
  if (paged && f.before_id) add("id < ?", *f.before_id);
  return where;
}

void BindAll(SQLite::Statement& q, const std::vector<Value>& values) {
  int i = 1;
  for (const Value& v : values) {
    std::visit([&](const auto& x) { q.bind(i++, x); }, v);
  }
}

void Acknowledge(SQLite::Database& sql, int64_t id, const std::string& by, int64_t now_ms) {
  SQLite::Statement q(sql,
                      "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? "
                      "WHERE id = ? AND acknowledged_at IS NULL");
  q.bind(1, now_ms);
  q.bind(2, by);
  q.bind(3, id);
  q.exec();
}

}  // namespace

StatusOr<std::vector<AlertRecord>> ListAlerts(Database& db, const AlertFilter& filter) {
  std::vector<AlertRecord> out;
  Status s = db.Read([&](SQLite::Database& sql) {
    std::vector<Value> values;
    std::string text =
        SelectAlerts() + WhereOf(filter, /*paged=*/true, values) + " ORDER BY id DESC";
    if (filter.limit > 0) text += " LIMIT " + std::to_string(filter.limit);
    SQLite::Statement q(sql, text);
    BindAll(q, values);
    while (q.executeStep()) out.push_back(RowOf(q));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<AckResult> AcknowledgeAlerts(Database& db, const std::vector<int64_t>& ids,
                                      const std::string& by, int64_t now_ms) {
  AckResult result;
  Status s = db.Write([&](SQLite::Database& sql) {
    result = {};
    SQLite::Statement get(sql, SelectAlerts() + " WHERE id = ?");
    for (int64_t id : ids) {
      get.reset();
      get.bind(1, id);
      if (!get.executeStep()) return Status::NotFound("no alert " + std::to_string(id));
      AlertRecord a = RowOf(get);
      if (a.acknowledged_at) {
        result.earlier.push_back(std::move(a));
        continue;
      }
      Acknowledge(sql, id, by, now_ms);
      result.acknowledged.push_back(id);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return result;
}

StatusOr<std::vector<int64_t>> AcknowledgeMatching(Database& db, const AlertFilter& filter,
                                                   const std::string& by, int64_t now_ms) {
  std::vector<int64_t> ids;
  AlertFilter open = filter;
  open.include_acknowledged = false;
  Status s = db.Write([&](SQLite::Database& sql) {
    ids.clear();
    std::vector<Value> values;
    SQLite::Statement q(
        sql, "SELECT id FROM alerts" + WhereOf(open, /*paged=*/false, values) + " ORDER BY id");
    BindAll(q, values);
    while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
    for (int64_t id : ids) Acknowledge(sql, id, by, now_ms);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return ids;
}

}  // namespace customsd
