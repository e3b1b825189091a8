#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "storage/migrations.h"
#include "tests/cli/cli_fixture.h"

namespace customsd {
namespace {

using testing::GoodLine;
using BackupMigrateTest = testing::CliTest;

TEST_F(BackupMigrateTest, MigrateCreatesTheDatabaseThenFindsNothingToDo) {
  testing::CliResult first = Run({"migrate"});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("0 -> " + std::to_string(EmbeddedMigrations().size())),
            std::string::npos)
      << first.out;
  testing::CliResult second = Run({"migrate"});
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_NE(second.out.find("up to date"), std::string::npos) << second.out;
}

TEST_F(BackupMigrateTest, ReadingCommandsOnAMissingDatabaseSaySoWithExitCode1) {
  testing::CliResult r = Run({"list"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  EXPECT_FALSE(DatabaseExists());  // reading does not create it
}

TEST_F(BackupMigrateTest, ANewerSchemaIsRefusedByEveryCommand) {
  ASSERT_EQ(Run({"migrate"}).code, 0);
  {
    SQLite::Database db(install_.db_path(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 999");
  }
  for (const char* cmd : {"list", "migrate", "stats"}) {
    testing::CliResult r = Run({cmd});
    EXPECT_EQ(r.code, 1) << cmd;
    EXPECT_NE(r.err.find("newer than this customsd knows"), std::string::npos) << cmd << r.err;
  }
  EXPECT_EQ(DeclareText("a.jsonl", GoodLine("A1")).code, 1);
}

TEST_F(BackupMigrateTest, BackupWritesAConsistentCopyHoldingTheData) {
  ASSERT_EQ(DeclareText("a.jsonl", GoodLine("A1") + "\n" + GoodLine("A2")).code, 0);
  const std::string dest = install_.File("backup.db");
  testing::CliResult r = Run({"backup", dest});
  ASSERT_EQ(r.code, 0) << r.err;
  SQLite::Database copy(dest, SQLite::OPEN_READONLY);
  SQLite::Statement q(copy, "SELECT count(*) FROM declarations");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getInt(), 2);
  SQLite::Statement v(copy, "PRAGMA user_version");
  ASSERT_TRUE(v.executeStep());
  EXPECT_EQ(v.getColumn(0).getInt(), static_cast<int>(EmbeddedMigrations().size()));
}

TEST_F(BackupMigrateTest, BackupDoesNotOverwriteWithoutForce) {
  ASSERT_EQ(DeclareText("a.jsonl", GoodLine("A1")).code, 0);
  const std::string dest = install_.File("backup.db");
  testing::WriteFile(dest, "precious");
  testing::CliResult r = Run({"backup", dest});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(testing::ReadFile(dest), "precious");
  EXPECT_EQ(Run({"backup", "--force", dest}).code, 0);
  EXPECT_NE(testing::ReadFile(dest), "precious");
}

}  // namespace
}  // namespace customsd
