#include "storage/statement_cache.h"

#include "storage/database.h"

namespace customsd {
namespace {

thread_local StatementCache* current = nullptr;

}  // namespace

StatementCache::StatementCache(SQLite::Database& db) : db_(db) {}
StatementCache::StatementCache(Database& db) : db_(db.sqlite()) {}

StatementCache::~StatementCache() = default;

StatementCache::Scope::Scope(StatementCache& cache) : previous_(current) { current = &cache; }

StatementCache::Scope::~Scope() { current = previous_; }

SQLite::Statement& StatementCache::Get(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    it = statements_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
  } else {
    (void)it->second->tryReset();  // reports the last run's error, which was already handled
    it->second->clearBindings();
  }
  return *it->second;
}

StatementCache* StatementCache::CurrentFor(const SQLite::Database& db) {
  return current != nullptr && &current->db_ == &db ? current : nullptr;
}

PreparedStatement::PreparedStatement(SQLite::Database& db, const std::string& sql) {
  if (StatementCache* cache = StatementCache::CurrentFor(db)) {
    statement_ = &cache->Get(sql);
  } else {
    statement_ = &fresh_.emplace(db, sql);
  }
}

PreparedStatement::~PreparedStatement() {
  if (!fresh_) (void)statement_->tryReset();
}

}  // namespace customsd
