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

}  // namespace
}  // namespace customsd
