// StatementCache: prepared statements kept for one thread's use of one connection.
//
// Preparing a transition's UPDATE and INSERT cost more CPU than running them (the benchmark's
// profile: a tenth of the daemon's time in the SQL parser). A thread that runs many writes on
// one connection (GroupWriter's) installs a cache for its lifetime; Prepare() then hands out
// the cached statement, and anywhere else prepares a fresh one, as before.
//
// Lifetime: the cache must be destroyed before its connection is closed, on the thread that
// made it (it is current for that thread only, from construction to destruction).
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace customsd {

class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& db);
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement for `sql` on this cache's connection, reset, with no bindings.
  SQLite::Statement& Get(const std::string& sql);

  // The cached statement when the calling thread has a cache for `db`; otherwise a new one,
  // made in `fresh`. Throws SQLite::Exception when `sql` does not prepare.
  static SQLite::Statement& Prepare(SQLite::Database& db, const std::string& sql,
                                    std::optional<SQLite::Statement>& fresh);

 private:
  SQLite::Database& db_;
  StatementCache* previous_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

}  // namespace customsd
