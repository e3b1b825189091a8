// Operators read the database with the sqlite3 CLI and other processes (a second `customsd
// declare`, say) write to it while the daemon writes. None of that may surface as SQLITE_BUSY
// to a caller of the store.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/Statement.h>

#include "tests/storage/store_fixture.h"

extern char** environ;

namespace customsd {
namespace {

using testing::OpenMigrated;
using testing::PlainOrder;

constexpr int kWritesPerProcess = 150;

// Adds declarations and moves each one a step, one transaction per call; returns failures.
int WriteLoop(const std::string& path, const std::string& prefix, std::string* first_error) {
  SystemClock clock;
  auto db = OpenMigrated(path);
  DeclarationStore store(*db, clock);
  int failures = 0;
  auto note = [&](const Status& s) {
    if (s.ok()) return;
    if (failures++ == 0) *first_error = s.message();
  };
  for (int i = 0; i < kWritesPerProcess; ++i) {
    DeclarationFields f = PlainOrder(prefix + std::to_string(i));
    auto report = store.Add({f});
    if (!report.ok()) {
      note(report.status());
      continue;
    }
    auto found = store.Find(KeyOf(f));
    if (!found.ok() || !found->has_value()) {
      note(found.ok() ? Status::NotFound("vanished") : found.status());
      continue;
    }
    const DeclarationRecord& r = **found;
    note(store.Transition(r.id, GuardOf(r), {.state = State::kProcessing, .phase = Phase::kPoll},
                          {.kind = "submitted"}));
  }
  return failures;
}

pid_t SpawnSqliteReader(const std::string& db, const std::string& script) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::string read_cmd = ".read " + script;
  const char* argv[] = {"sqlite3", "-bail", db.c_str(), read_cmd.c_str(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, "sqlite3", &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int WaitExitCode(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ConcurrentAccessTest, CliReaderAndSecondWriterNeverSurfaceBusyToTheStore) {
  testing::TempDir dir;
  const std::string path = dir.File("customsd.db");
  OpenMigrated(path);  // create the schema before anyone races for it

  // The sqlite3 CLI reading, as an operator would, many short read transactions.
  std::string script = ".timeout 5000\n";
  for (int i = 0; i < 300; ++i) {
    script += "SELECT count(*) FROM declarations; SELECT * FROM counts_by_state_phase;\n";
  }
  testing::WriteFile(dir.File("reader.sql"), script);
  pid_t reader = SpawnSqliteReader(path, dir.File("reader.sql"));
  ASSERT_GT(reader, 0) << "cannot start sqlite3";

  pid_t writer = fork();
  ASSERT_GE(writer, 0);
  if (writer == 0) {
    std::string error;
    int failures = WriteLoop(path, "CHILD", &error);
    if (failures > 0) fprintf(stderr, "child: %d failures, first: %s\n", failures, error.c_str());
    _exit(failures == 0 ? 0 : 1);
  }

  std::string error;
  int failures = WriteLoop(path, "PARENT", &error);
  EXPECT_EQ(failures, 0) << error;
  EXPECT_EQ(WaitExitCode(writer), 0) << "the second writer process saw errors";
  EXPECT_EQ(WaitExitCode(reader), 0) << "the sqlite3 reader failed";

  auto db = OpenMigrated(path);
  SQLite::Statement q(db->sqlite(), "SELECT count(*) FROM declarations WHERE phase = 'poll'");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getInt(), 2 * kWritesPerProcess);
  EXPECT_TRUE(db->Check(/*full=*/true).ok());
}

}  // namespace
}  // namespace customsd
