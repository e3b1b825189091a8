#include "storage/statement_cache.h"

namespace customsd {
namespace {

thread_local StatementCache* current = nullptr;

}  // namespace

StatementCache::StatementCache(SQLite::Database& db) : db_(db), previous_(current) {
  current = this;
}

StatementCache::~StatementCache() { current = previous_; }

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

SQLite::Statement& StatementCache::Prepare(SQLite::Database& db, const std::string& sql,
                                           std::optional<SQLite::Statement>& fresh) {
  if (current != nullptr && &current->db_ == &db) return current->Get(sql);
  return fresh.emplace(db, sql);
}

}  // namespace customsd
