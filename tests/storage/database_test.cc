#include "storage/database.h"

#include <gtest/gtest.h>

#include <SQLiteCpp/Statement.h>

#include "tests/support/temp_dir.h"

namespace customsd {
namespace {

using testing::TempDir;

std::string Pragma(Database& db, const std::string& name) {
  SQLite::Statement q(db.sqlite(), "PRAGMA " + name);
  q.executeStep();
  return q.getColumn(0).getString();
}

TEST(DatabaseTest, OpenTurnsOnWalFullSyncForeignKeysAndBusyTimeout) {
  TempDir dir;
  auto db = Database::Open(dir.File("a.db"));
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ(Pragma(**db, "journal_mode"), "wal");
  EXPECT_EQ(Pragma(**db, "synchronous"), "2");  // FULL
  EXPECT_EQ(Pragma(**db, "foreign_keys"), "1");
  EXPECT_EQ(Pragma(**db, "busy_timeout"), "10000");
}

TEST(DatabaseTest, OpenRefusesAFileThatIsNotADatabase) {
  TempDir dir;
  testing::WriteFile(dir.File("junk.db"), std::string(4096, 'x'));
  auto db = Database::Open(dir.File("junk.db"));
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kCorruption);
  EXPECT_NE(db.status().message().find("junk.db"), std::string::npos);
}

TEST(DatabaseTest, OpenWithoutCreateRefusesAMissingFile) {
  TempDir dir;
  DatabaseOptions options;
  options.create = false;
  auto db = Database::Open(dir.File("missing.db"), options);
  EXPECT_FALSE(db.ok());
}

int64_t CountRows(Database& db) {
  SQLite::Statement q(db.sqlite(), "SELECT count(*) FROM t");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

TEST(DatabaseTest, WriteRollsBackWhenTheBodyReturnsAnError) {
  TempDir dir;
  auto db = std::move(Database::Open(dir.File("a.db"))).value();
  db->sqlite().exec("CREATE TABLE t (x)");
  Status s = db->Write([](SQLite::Database& sql) {
    sql.exec("INSERT INTO t VALUES (1)");
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(CountRows(*db), 0);
}

TEST(DatabaseTest, WriteRollsBackAndReportsWhenTheBodyThrows) {
  TempDir dir;
  auto db = std::move(Database::Open(dir.File("a.db"))).value();
  db->sqlite().exec("CREATE TABLE t (x UNIQUE)");
  Status s = db->Write([](SQLite::Database& sql) {
    sql.exec("INSERT INTO t VALUES (1)");
    sql.exec("INSERT INTO t VALUES (1)");  // violates UNIQUE: throws
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(CountRows(*db), 0);
  // The connection is usable afterwards: no transaction was left open.
  EXPECT_TRUE(db->Write([](SQLite::Database& sql) {
                  sql.exec("INSERT INTO t VALUES (2)");
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(CountRows(*db), 1);
}

TEST(DatabaseTest, IntegrityCheckOfAHealthyDatabaseIsOk) {
  TempDir dir;
  auto db = std::move(Database::Open(dir.File("a.db"))).value();
  EXPECT_TRUE(db->Check(/*full=*/true).ok());
  EXPECT_TRUE(db->Check(/*full=*/false).ok());
}

}  // namespace
}  // namespace customsd
