#include "storage/migrator.h"

#include <gtest/gtest.h>

#include <SQLiteCpp/Statement.h>

#include "tests/support/temp_dir.h"

namespace customsd {
namespace {

using testing::TempDir;

std::string SchemaDump(Database& db) {
  SQLite::Statement q(db.sqlite(),
                      "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema "
                      "ORDER BY type, name");
  std::string out;
  while (q.executeStep()) out += q.getColumn(0).getString() + "\n";
  return out;
}

bool HasObject(Database& db, const std::string& type, const std::string& name) {
  SQLite::Statement q(db.sqlite(), "SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?");
  q.bind(1, type);
  q.bind(2, name);
  return q.executeStep();
}

TEST(MigratorTest, EmbeddedMigrationsAreNumberedOneByOne) {
  const auto& migrations = EmbeddedMigrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    std::string number = std::to_string(i + 1);
    std::string prefix = std::string(4 - number.size(), '0') + number + "_";
    EXPECT_EQ(migrations[i].name.rfind(prefix, 0), 0u) << migrations[i].name;
    EXPECT_FALSE(migrations[i].sql.empty());
  }
}

TEST(MigratorTest, MigratesAnEmptyDatabaseToTheLatestSchema) {
  TempDir dir;
  auto db = std::move(Database::Open(dir.File("a.db"))).value();
  auto report = MigrateToLatest(*db);
  ASSERT_TRUE(report.ok()) << report.status().message();
  const int latest = static_cast<int>(EmbeddedMigrations().size());
  EXPECT_EQ(report->from_version, 0);
  EXPECT_EQ(report->to_version, latest);
  EXPECT_EQ(report->applied.size(), EmbeddedMigrations().size());
  EXPECT_EQ(*SchemaVersion(*db), latest);
  for (const char* table : {"declarations", "events", "alerts"}) {
    EXPECT_TRUE(HasObject(*db, "table", table)) << table;
  }
  for (const char* view : {"needs_attention", "counts_by_state_phase", "declarations_readable"}) {
    EXPECT_TRUE(HasObject(*db, "view", view)) << view;
  }
  EXPECT_TRUE(HasObject(*db, "index", "declarations_due"));
}

TEST(MigratorTest, MigratingAgainChangesNothing) {
  TempDir dir;
  auto db = std::move(Database::Open(dir.File("a.db"))).value();
  ASSERT_TRUE(MigrateToLatest(*db).ok());
  const std::string before = SchemaDump(*db);
  auto again = MigrateToLatest(*db);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->from_version, again->to_version);
  EXPECT_EQ(SchemaDump(*db), before);
}

TEST(MigratorTest, RefusesADatabaseWithANewerSchemaAndLeavesItAlone) {
  TempDir dir;
  auto db = std::move(Database::Open(dir.File("a.db"))).value();
  ASSERT_TRUE(MigrateToLatest(*db).ok());
  const int newer = static_cast<int>(EmbeddedMigrations().size()) + 1;
  db->sqlite().exec("PRAGMA user_version = " + std::to_string(newer));
  const std::string before = SchemaDump(*db);
  auto report = MigrateToLatest(*db);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("newer than this customsd knows"), std::string::npos)
      << report.status().message();
  EXPECT_EQ(*SchemaVersion(*db), newer);
  EXPECT_EQ(SchemaDump(*db), before);
}

TEST(MigratorTest, AFailingMigrationLeavesTheSchemaAtThePreviousVersion) {
  TempDir dir;
  auto db = std::move(Database::Open(dir.File("a.db"))).value();
  std::vector<Migration> migrations = {
      {"0001_one", "CREATE TABLE one (x);"},
      {"0002_two", "CREATE TABLE two (x); CREATE TABLE one (x);"},  // fails half-way
  };
  auto report = Migrate(*db, migrations);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("0002_two"), std::string::npos);
  EXPECT_EQ(*SchemaVersion(*db), 1);
  EXPECT_TRUE(HasObject(*db, "table", "one"));
  EXPECT_FALSE(HasObject(*db, "table", "two"));
}

TEST(MigratorTest, AppliesOnlyTheMigrationsNotYetApplied) {
  TempDir dir;
  auto db = std::move(Database::Open(dir.File("a.db"))).value();
  std::vector<Migration> first = {{"0001_one", "CREATE TABLE one (x);"}};
  ASSERT_TRUE(Migrate(*db, first).ok());
  std::vector<Migration> both = {first[0], {"0002_two", "CREATE TABLE two (x);"}};
  auto report = Migrate(*db, both);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->applied, std::vector<std::string>{"0002_two"});
  EXPECT_EQ(*SchemaVersion(*db), 2);
}

TEST(MigratorTest, AMigrationThatLeavesADanglingReferenceIsRolledBack) {
  TempDir dir;
  auto db = std::move(Database::Open(dir.File("a.db"))).value();
  std::vector<Migration> migrations = {
      {"0001_one", "CREATE TABLE parent (id INTEGER PRIMARY KEY); "
                   "CREATE TABLE child (p INTEGER REFERENCES parent (id)); "
                   "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1);"},
      {"0002_two", "DELETE FROM parent;"},  // foreign keys are off while migrating
  };
  auto report = Migrate(*db, migrations);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("0002_two"), std::string::npos);
  EXPECT_NE(report.status().message().find("table child"), std::string::npos)
      << report.status().message();
  EXPECT_EQ(*SchemaVersion(*db), 1);
  SQLite::Statement q(db->sqlite(), "SELECT count(*) FROM parent");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getInt(), 1);
  // Foreign keys are on again for the connection's later work.
  SQLite::Statement fk(db->sqlite(), "PRAGMA foreign_keys");
  ASSERT_TRUE(fk.executeStep());
  EXPECT_EQ(fk.getColumn(0).getInt(), 1);
}

TEST(MigratorTest, Version4KeepsEveryRowAndAllowsTheCancelledPhase) {
  TempDir dir;
  auto db = std::move(Database::Open(dir.File("a.db"))).value();
  std::vector<Migration> three(EmbeddedMigrations().begin(), EmbeddedMigrations().begin() + 3);
  ASSERT_TRUE(Migrate(*db, three).ok());
  db->sqlite().exec(
      "INSERT INTO declarations (id, appid, mchid, out_trade_no, transaction_id, customs, "
      "merchant_customs_no, phase, next_attempt_at, created_at, updated_at, check_first, "
      "redeclares) VALUES (7, 'wx1', '123', 'P1', 'T1', 'NINGBO', 'M1', 'attention', 5, 1, 2, 1, "
      "2); "
      "INSERT INTO events (declaration_id, at, kind) VALUES (7, 3, 'refused'); "
      "INSERT INTO alerts (declaration_id, cause, dedupe_key, summary, created_at, "
      "next_attempt_at) VALUES (7, 'refused', 'k', 's', 4, 4);");
  ASSERT_TRUE(MigrateToLatest(*db).ok());
  SQLite::Statement q(db->sqlite(),
                      "SELECT out_trade_no, phase, check_first, redeclares, "
                      "(SELECT count(*) FROM events WHERE declaration_id = 7), "
                      "(SELECT count(*) FROM alerts WHERE declaration_id = 7) "
                      "FROM declarations WHERE id = 7");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "P1");
  EXPECT_EQ(q.getColumn(1).getString(), "attention");
  EXPECT_EQ(q.getColumn(2).getInt(), 1);
  EXPECT_EQ(q.getColumn(3).getInt(), 2);
  EXPECT_EQ(q.getColumn(4).getInt(), 1);
  EXPECT_EQ(q.getColumn(5).getInt(), 1);
  db->sqlite().exec("UPDATE declarations SET phase = 'cancelled' WHERE id = 7");
  EXPECT_THROW(db->sqlite().exec("UPDATE declarations SET phase = 'gone' WHERE id = 7"),
               SQLite::Exception);
  EXPECT_TRUE(HasObject(*db, "index", "declarations_due"));
  for (const char* view : {"needs_attention", "open_alerts", "today_by_state", "waiting_longest",
                           "events_readable"}) {
    EXPECT_TRUE(HasObject(*db, "view", view)) << view;
    SQLite::Statement v(db->sqlite(), std::string("SELECT * FROM ") + view);
    EXPECT_NO_THROW(while (v.executeStep()) {}) << view;
  }
}

}  // namespace
}  // namespace customsd
