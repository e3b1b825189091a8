#include "storage/declaration_store.h"

#include <SQLiteCpp/Statement.h>

#include <map>

#include "storage/active_phases.h"
#include "storage/declaration_rows.h"
#include "storage/statement_cache.h"

namespace customsd {
namespace {

// Rolls the batch back when a record conflicts; never escapes Add().
constexpr const char* kBatchConflict = "batch has conflicting records";

std::string SelectDeclarations(const std::string& where) {
  return "SELECT " + DeclarationColumns() + " FROM declarations " + where;
}

void InsertCreatedEvent(SQLite::Database& sql, int64_t id, int64_t now) {
  PreparedStatement ev(sql,
                       "INSERT INTO events (declaration_id, at, kind, to_state, to_phase, message) "
                       "VALUES (?, ?, 'created', 'UNDECLARED', 'submit', 'added by declare')");
  ev->bind(1, id);
  ev->bind(2, now);
  ev->exec();
}

int64_t InsertDeclaration(SQLite::Database& sql, const DeclarationFields& f, int64_t now) {
  static const std::string kInsert = [] {
    std::string marks;
    for (size_t i = 0; i < kDeclarationFields.size(); ++i) marks += "?, ";
    return "INSERT INTO declarations (" + FieldColumns() +
           ", state, phase, attempts, next_attempt_at, created_at, updated_at, version) VALUES (" +
           marks + "'UNDECLARED', 'submit', 0, ?, ?, ?, 1)";
  }();
  PreparedStatement ins(sql, kInsert);
  int index = 1;
  for (const FieldSpec& spec : kDeclarationFields) BindField(*ins, index++, spec, f);
  static_assert(kDeclarationFields.size() == 12, "the binds below start at 13");
  ins->bind(13, now);
  ins->bind(14, now);
  ins->bind(15, now);
  ins->exec();
  return sql.getLastInsertRowid();
}

std::optional<DeclarationRecord> FindIn(SQLite::Database& sql, const DeclarationKey& key) {
  static const std::string kFind = SelectDeclarations(
      "WHERE mchid = ? AND out_trade_no = ? AND sub_order_no = ? AND customs = ?");
  PreparedStatement q(sql, kFind);
  q->bind(1, key.mchid);
  q->bind(2, key.out_trade_no);
  q->bind(3, key.sub_order_no);
  q->bind(4, key.customs);
  if (!q->executeStep()) return std::nullopt;
  return ReadDeclaration(*q);
}

}  // namespace

StatusOr<AddReport> DeclarationStore::Add(const std::vector<DeclarationFields>& batch) {
  return AddThrough(db_, UnixMillis(clock_.Now()), batch);
}

StatusOr<AddReport> DeclarationStore::AddThrough(TransactionWriter& writer, int64_t now,
                                                 const std::vector<DeclarationFields>& batch) {
  AddReport report;
  Status s = writer.Write([&](SQLite::Database& sql) -> Status {
    report.results.clear();
    report.ids.clear();
    bool conflict = false;
    for (const DeclarationFields& f : batch) {
      std::optional<DeclarationRecord> existing = FindIn(sql, KeyOf(f));
      report.ids.push_back(existing ? existing->id : 0);
      if (!existing) {
        const int64_t id = InsertDeclaration(sql, f, now);
        InsertCreatedEvent(sql, id, now);
        report.ids.back() = id;
        report.results.push_back(AddResult::kAdded);
      } else if (existing->fields == f) {
        report.results.push_back(AddResult::kAlreadyPresent);
      } else {
        report.results.push_back(AddResult::kConflict);
        conflict = true;
      }
    }
    return conflict ? Status::Conflict(kBatchConflict) : Status::Ok();
  });
  if (s.ok()) {
    report.committed = true;
    return report;
  }
  if (s.code() == StatusCode::kConflict && s.message() == kBatchConflict) {
    for (size_t i = 0; i < report.results.size(); ++i) {
      if (report.results[i] == AddResult::kAdded) report.ids[i] = 0;  // rolled back
    }
    return report;
  }
  return s;
}

StatusOr<std::optional<DeclarationRecord>> DeclarationStore::Find(const DeclarationKey& key) {
  std::optional<DeclarationRecord> found;
  Status s = db_.Read([&](SQLite::Database& sql) {
    found = FindIn(sql, key);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return found;
}

StatusOr<DeclarationRecord> DeclarationStore::Get(int64_t id) {
  std::optional<DeclarationRecord> found;
  Status s = db_.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql, SelectDeclarations("WHERE id = ?"));
    q.bind(1, id);
    if (q.executeStep()) found = ReadDeclaration(q);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!found) return Status::NotFound("no declaration with id " + std::to_string(id));
  return *std::move(found);
}

StatusOr<std::vector<DeclarationRecord>> DeclarationStore::List(const ListFilter& filter) {
  std::string where = "WHERE 1";
  if (filter.state) where += " AND state = :state";
  if (filter.phase) where += " AND phase = :phase";
  if (!filter.mchid.empty()) where += " AND mchid = :mchid";
  if (!filter.out_trade_no.empty()) where += " AND out_trade_no = :out_trade_no";
  if (!filter.transaction_id.empty()) where += " AND transaction_id = :transaction_id";
  if (filter.sub_order_no) where += " AND sub_order_no = :sub_order_no";
  if (!filter.customs.empty()) where += " AND customs = :customs";
  if (filter.id) where += " AND id = :id";
  if (filter.before_id) where += " AND id < :before_id";
  if (filter.created_since) where += " AND created_at >= :since";
  if (filter.created_until) where += " AND created_at < :until";
  where += " ORDER BY id DESC";
  if (filter.limit > 0) where += " LIMIT " + std::to_string(filter.limit);

  std::vector<DeclarationRecord> out;
  Status s = db_.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql, SelectDeclarations(where));
    if (filter.state) q.bind(":state", std::string(ToString(*filter.state)));
    if (filter.phase) q.bind(":phase", std::string(ToString(*filter.phase)));
    if (!filter.mchid.empty()) q.bind(":mchid", filter.mchid);
    if (!filter.out_trade_no.empty()) q.bind(":out_trade_no", filter.out_trade_no);
    if (!filter.transaction_id.empty()) q.bind(":transaction_id", filter.transaction_id);
    if (filter.sub_order_no) q.bind(":sub_order_no", *filter.sub_order_no);
    if (!filter.customs.empty()) q.bind(":customs", filter.customs);
    if (filter.id) q.bind(":id", *filter.id);
    if (filter.before_id) q.bind(":before_id", *filter.before_id);
    if (filter.created_since) q.bind(":since", *filter.created_since);
    if (filter.created_until) q.bind(":until", *filter.created_until);
    while (q.executeStep()) out.push_back(ReadDeclaration(q));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<std::vector<Event>> DeclarationStore::Events(int64_t declaration_id) {
  std::vector<Event> out;
  Status s = db_.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql, std::string("SELECT ") + kEventColumns +
                                 " FROM events WHERE declaration_id = ? ORDER BY id");
    q.bind(1, declaration_id);
    while (q.executeStep()) out.push_back(ReadEvent(q));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<StoreStats> DeclarationStore::Stats() {
  StoreStats stats;
  Status s = db_.Read([&](SQLite::Database& sql) {
    // declarations_by_merchant_customs covers these columns: the table itself is not read.
    SQLite::Statement q(
        sql,
        "SELECT mchid, customs, state, phase, count(*) FROM declarations "
        "GROUP BY mchid, customs, state, phase ORDER BY mchid, customs, state, phase");
    // Summed over merchants and customs, in the order of the texts (as the SQL sorts them).
    std::map<std::pair<std::string, std::string>, StoreStats::Count> by_state_phase;
    while (q.executeStep()) {
      std::string state_text = q.getColumn(2).getString();
      std::string phase_text = q.getColumn(3).getString();
      auto state = ParseState(state_text);
      auto phase = ParsePhase(phase_text);
      int64_t n = q.getColumn(4).getInt64();
      stats.total += n;
      if (!state || !phase) continue;
      auto [it, added] = by_state_phase.try_emplace({std::move(state_text), std::move(phase_text)},
                                                    StoreStats::Count{*state, *phase, 0});
      it->second.declarations += n;
      stats.by_merchant_customs.push_back(
          {q.getColumn(0).getString(), q.getColumn(1).getString(), *state, *phase, n});
    }
    for (const auto& entry : by_state_phase) stats.counts.push_back(entry.second);
    // The phase list matches the partial due index, so only unfinished rows are scanned.
    SQLite::Statement oldest(
        sql, "SELECT min(created_at) FROM declarations WHERE phase IN " CUSTOMSD_ACTIVE_PHASES);
    if (oldest.executeStep() && !oldest.getColumn(0).isNull()) {
      stats.oldest_unfinished_created_at = oldest.getColumn(0).getInt64();
    }
    SQLite::Statement alerts(sql,
                             "SELECT coalesce(sum(delivered_at IS NULL), 0), "
                             "coalesce(sum(delivered_at IS NOT NULL), 0), "
                             "coalesce(sum(delivered_at IS NULL AND in_digest), 0) FROM alerts");
    if (alerts.executeStep()) {
      stats.alerts_pending = alerts.getColumn(0).getInt64();
      stats.alerts_delivered = alerts.getColumn(1).getInt64();
      stats.alerts_held = alerts.getColumn(2).getInt64();
    }
    SQLite::Statement notify(sql,
                             "SELECT c.receiver, (SELECT count(*) FROM notifications n "
                             "WHERE n.event_id > c.delivered_event_id), c.failures "
                             "FROM notify_cursors c ORDER BY c.receiver");
    while (notify.executeStep()) {
      StoreStats::Receiver& r = stats.receivers.emplace_back();
      r.receiver = notify.getColumn(0).getString();
      r.undelivered = notify.getColumn(1).getInt64();
      r.failures = notify.getColumn(2).getInt64();
      stats.notifications_undelivered += r.undelivered;
      stats.notify_receivers_failing += r.failures > 0 ? 1 : 0;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return stats;
}

StatusOr<std::vector<int64_t>> DeclarationStore::CountCreatedSince(
    const std::vector<int64_t>& since_ms) {
  std::vector<int64_t> counts;
  Status s = db_.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql, "SELECT count(*) FROM declarations WHERE created_at >= ?");
    for (int64_t since : since_ms) {
      q.bind(1, since);
      counts.push_back(q.executeStep() ? q.getColumn(0).getInt64() : 0);
      q.reset();
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return counts;
}

StatusOr<int64_t> DeclarationStore::CountDoubtfulSends() {
  int64_t count = 0;
  Status s = db_.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "SELECT count(*) FROM declarations WHERE check_first = 1 AND "
                        "phase IN " CUSTOMSD_ACTIVE_PHASES);
    if (q.executeStep()) count = q.getColumn(0).getInt64();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return count;
}

StatusOr<std::vector<DeclarationRecord>> DeclarationStore::Due(int64_t now_ms, int limit,
                                                               const std::set<int64_t>& skip) {
  std::vector<DeclarationRecord> out;
  std::string skip_ids = "[";
  for (int64_t id : skip) {
    if (skip_ids.size() > 1) skip_ids += ',';
    skip_ids += std::to_string(id);
  }
  skip_ids += ']';
  // The index is named, because the planner otherwise picks the (phase, state) index and sorts
  // every unfinished row; the partial index hands them over already in due order. The id test
  // is made on the index entry (it holds the rowid), before the row is read. (bench/run finds
  // this text in the binary: keep "FROM declarations ... WHERE" in one literal.)
  static const std::string kDueSql =
      "SELECT " + DeclarationColumns() +
      " FROM declarations INDEXED BY declarations_due WHERE phase IN " CUSTOMSD_ACTIVE_PHASES
      " AND id NOT IN (SELECT value FROM json_each(?)) AND next_attempt_at <= ? "
      "ORDER BY next_attempt_at LIMIT ?";
  Status s = db_.Read([&](SQLite::Database& sql) {
    PreparedStatement prepared(sql, kDueSql);
    SQLite::Statement& q = *prepared;
    q.bind(1, skip_ids);
    q.bind(2, now_ms);
    q.bind(3, limit);
    while (q.executeStep()) out.push_back(ReadDeclaration(q));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<int64_t> DeclarationStore::CountInPhases(std::initializer_list<Phase> phases) {
  int64_t total = 0;
  Status s = db_.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql, "SELECT count(*) FROM declarations WHERE phase = ?");
    for (Phase p : phases) {
      q.bind(1, std::string(ToString(p)));
      if (q.executeStep()) total += q.getColumn(0).getInt64();
      q.reset();
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return total;
}

StatusOr<std::optional<int64_t>> DeclarationStore::NextDueAt() {
  std::optional<int64_t> next;
  Status s = db_.Read([&](SQLite::Database& sql) {
    PreparedStatement prepared(sql,
                               "SELECT min(next_attempt_at) FROM declarations INDEXED BY "
                               "declarations_due WHERE phase IN " CUSTOMSD_ACTIVE_PHASES);
    SQLite::Statement& q = *prepared;
    if (q.executeStep() && !q.getColumn(0).isNull()) next = q.getColumn(0).getInt64();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return next;
}

StatusOr<std::vector<DeclarationRecord>> DeclarationStore::OrderGroup(
    const std::string& mchid, const std::string& out_trade_no, const std::string& customs) {
  std::vector<DeclarationRecord> out;
  Status s = db_.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql, SelectDeclarations("WHERE mchid = ? AND out_trade_no = ? AND "
                                                "customs = ? ORDER BY id"));
    q.bind(1, mchid);
    q.bind(2, out_trade_no);
    q.bind(3, customs);
    while (q.executeStep()) out.push_back(ReadDeclaration(q));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace customsd
