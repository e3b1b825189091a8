// StatementCache hands one thread its prepared statements again, and nobody else.
#include "storage/statement_cache.h"

#include <gtest/gtest.h>

#include <thread>

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
  StatementCache::Scope use(cache);
  SQLite::Statement* first_address = nullptr;
  {
    PreparedStatement first(db_, "INSERT INTO t (x) VALUES (?)");
    EXPECT_TRUE(first.cached());
    first->bind(1, 1);
    first->exec();
    first_address = &*first;
  }
  PreparedStatement again(db_, "INSERT INTO t (x) VALUES (?)");
  EXPECT_EQ(&*again, first_address);
  again->exec();  // the binding was cleared: inserts NULL, not a second 1
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

TEST_F(StatementCacheTest, ACachedQueryLeftMidwayHoldsNoSnapshotAfterItsUse) {
  db_.exec("INSERT INTO t (x) VALUES (1)");
  StatementCache cache(db_);
  StatementCache::Scope use(cache);
  {
    PreparedStatement q(db_, "SELECT x FROM t");
    ASSERT_TRUE(q->executeStep());  // one row read, the statement not finished
  }
  other_.exec("INSERT INTO t (x) VALUES (2)");
  PreparedStatement count(db_, "SELECT count(*) FROM t");
  ASSERT_TRUE(count->executeStep());
  EXPECT_EQ(count->getColumn(0).getInt64(), 2);  // sees the other connection's write
}

TEST_F(StatementCacheTest, OtherConnectionsAndThreadsWithoutACacheGetAFreshStatement) {
  StatementCache cache(db_);
  {
    StatementCache::Scope use(cache);
    PreparedStatement elsewhere(other_, "SELECT 1");
    EXPECT_FALSE(elsewhere.cached());
  }
  EXPECT_FALSE(PreparedStatement(db_, "SELECT 1").cached());  // the scope ended
  bool cached_on_other_thread = false;
  std::thread([&] {
    StatementCache::Scope use(cache);
    cached_on_other_thread = PreparedStatement(db_, "SELECT 1").cached();
  }).join();
  EXPECT_TRUE(cached_on_other_thread);
  EXPECT_FALSE(PreparedStatement(db_, "SELECT 1").cached());  // current on that thread only
}

}  // namespace
}  // namespace customsd
