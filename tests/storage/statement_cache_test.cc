// StatementCache hands one thread its prepared statements again, and nobody else.
#include "storage/statement_cache.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace customsd {
namespace {

class StatementCacheTest : public ::testing::Test {
 protected:
  StatementCacheTest() { db_.exec("CREATE TABLE t (x INTEGER UNIQUE)"); }

  int64_t Rows() { return db_.execAndGet("SELECT count(*) FROM t").getInt64(); }

  testing::TempDir dir_;
  SQLite::Database db_{dir_.File("c.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  SQLite::Database other_{dir_.File("c.db"), SQLite::OPEN_READWRITE};
};

TEST_F(StatementCacheTest, TheThreadThatHoldsACacheGetsTheSameStatementResetAndUnbound) {
  StatementCache cache(db_);
  std::optional<SQLite::Statement> fresh;
  SQLite::Statement& first = StatementCache::Prepare(db_, "INSERT INTO t (x) VALUES (?)", fresh);
  first.bind(1, 1);
  first.exec();
  SQLite::Statement& again = StatementCache::Prepare(db_, "INSERT INTO t (x) VALUES (?)", fresh);
  EXPECT_EQ(&first, &again);
  EXPECT_FALSE(fresh.has_value());
  again.exec();  // the binding was cleared: inserts NULL, not a second 1
  EXPECT_EQ(Rows(), 2);
  EXPECT_EQ(db_.execAndGet("SELECT count(*) FROM t WHERE x IS NULL").getInt64(), 1);
}

TEST_F(StatementCacheTest, AStatementWhoseLastRunFailedCanRunAgain) {
  StatementCache cache(db_);
  SQLite::Statement& insert = cache.Get("INSERT INTO t (x) VALUES (?)");
  insert.bind(1, 7);
  insert.exec();
  SQLite::Statement& duplicate = cache.Get("INSERT INTO t (x) VALUES (?)");
  duplicate.bind(1, 7);
  EXPECT_THROW(duplicate.exec(), SQLite::Exception);
  SQLite::Statement& next = cache.Get("INSERT INTO t (x) VALUES (?)");
  next.bind(1, 8);
  EXPECT_NO_THROW(next.exec());
  EXPECT_EQ(Rows(), 2);
}

TEST_F(StatementCacheTest, OtherConnectionsAndThreadsWithoutACachePrepareAFreshStatement) {
  std::optional<SQLite::Statement> fresh;
  {
    StatementCache cache(db_);
    SQLite::Statement& s = StatementCache::Prepare(other_, "SELECT 1", fresh);
    EXPECT_TRUE(fresh.has_value());
    EXPECT_EQ(&s, &*fresh);
  }
  std::optional<SQLite::Statement> after;
  SQLite::Statement& s = StatementCache::Prepare(db_, "SELECT 1", after);
  EXPECT_EQ(&s, &*after);  // the cache ended with its scope
}

}  // namespace
}  // namespace customsd
