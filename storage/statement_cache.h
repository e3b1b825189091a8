// StatementCache: prepared statements kept for one thread's use of one connection.
//
// Preparing a transition's UPDATE and INSERT cost more CPU than running them (the benchmark's
// profile: a tenth of the daemon's time in the SQL parser), and so did preparing the engine's
// due-work query. A thread that runs many statements on one connection (GroupWriter's, the
// engine's main loop) makes a cache current with a Scope; Prepare() then hands out the cached
// statement, and anywhere else prepares a fresh one, as before.
//
// Lifetime: the cache must be destroyed before its connection is closed. A Scope must end on
// the thread that opened it, and scopes nest.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace customsd {

class Database;

class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& db);
  explicit StatementCache(Database& db);  // on the connection db holds
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement for `sql` on this cache's connection, reset, with no bindings.
  SQLite::Statement& Get(const std::string& sql);

  // The calling thread's current cache when it is for `db`, else nullptr.
  static StatementCache* CurrentFor(const SQLite::Database& db);

  // Makes a cache the calling thread's current one until the scope ends.
  class Scope {
   public:
    explicit Scope(StatementCache& cache);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    StatementCache* previous_;
  };

 private:
  SQLite::Database& db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

// A statement for one use: the current cache's (reset when this ends, so it holds no read
// snapshot past its use) or, without a cache for `db`, a fresh one (finalized when this ends).
// Throws SQLite::Exception when `sql` does not prepare.
class PreparedStatement {
 public:
  PreparedStatement(SQLite::Database& db, const std::string& sql);
  ~PreparedStatement();
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  SQLite::Statement& operator*() { return *statement_; }
  SQLite::Statement* operator->() { return statement_; }
  bool cached() const { return !fresh_.has_value(); }

 private:
  std::optional<SQLite::Statement> fresh_;
  SQLite::Statement* statement_;
};

}  // namespace customsd
