// SpawnCommandRunner with real processes: small shell scripts written to a temp dir. Waits are
// bounded by deadlines (poll on a FIFO or a pidfd), never by sleeping.
#include "daemon/alerts/alert_command.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "tests/support/temp_dir.h"

namespace customsd {
namespace {

using namespace std::chrono_literals;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

PendingAlert SampleAlert() {
  PendingAlert a;
  a.id = 7;
  a.declaration_id = 42;
  a.mchid = "1230000109";
  a.cause = "FAIL";
  a.summary = "customs declaration FAILED: it's \"wrong\"; $(not run)\nNext: fix it";
  a.details = R"({"id":42})";
  a.created_at = 1795305600123;
  return a;
}

std::unique_ptr<SpawnCommandRunner> Runner(std::chrono::milliseconds limit) {
  auto runner = SpawnCommandRunner::Create(limit);
  EXPECT_TRUE(runner.ok()) << runner.status().message();
  return std::move(runner).value();
}

class AlertCommandTest : public ::testing::Test {
 protected:
  std::string Script(const std::string& name, const std::string& body) {
    const std::string path = dir_.File(name);
    WriteFile(path, "#!/bin/sh\n" + body, 0755);
    return path;
  }
  TempDir dir_;
};

TEST_F(AlertCommandTest, TheAlertArrivesInEnvironmentVariablesOnTopOfTheDaemons) {
  const std::string out = dir_.path();
  // The mask first, read by the shell itself with builtins: dash blocks signals around each
  // fork it makes and clears its mask after the first external command, so a later or forked
  // probe would not show what the command inherited.
  std::string body = "while read -r k v; do [ \"$k\" = SigBlk: ] && printf '%s' \"$v\" > " + out +
                     "/sigblk; done < /proc/self/status\n";
  for (const char* v :
       {"ID", "CAUSE", "SUMMARY", "MCHID", "DECLARATION_ID", "DETAILS", "CREATED_AT"}) {
    body += std::string("printf '%s' \"$CUSTOMSD_ALERT_") + v + "\" > " + out + "/" + v + "\n";
  }
  body += "printf '%s' \"$CUSTOMSD_TEST_INHERITED\" > " + out + "/inherited\n";
  body += "readlink /proc/$$/fd/0 > " + out + "/stdin\n";
  body += "echo $$ $(cut -d' ' -f5 /proc/$$/stat) > " + out + "/pgid\n";
  const std::string command = Script("env.sh", body);

  ::setenv("CUSTOMSD_TEST_INHERITED", "yes", 1);
  ::setenv("CUSTOMSD_ALERT_ID", "stale", 1);  // must not pose as the alert's
  // The daemon blocks SIGTERM in every thread; the command must not inherit that.
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &old), 0);
  Status s = Runner(10s)->Run(command, SampleAlert());
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::unsetenv("CUSTOMSD_TEST_INHERITED");
  ::unsetenv("CUSTOMSD_ALERT_ID");
  ASSERT_TRUE(s.ok()) << s.message();

  EXPECT_EQ(ReadFile(out + "/ID"), "7");
  EXPECT_EQ(ReadFile(out + "/CAUSE"), "FAIL");
  EXPECT_EQ(ReadFile(out + "/SUMMARY"), SampleAlert().summary);
  EXPECT_EQ(ReadFile(out + "/MCHID"), "1230000109");
  EXPECT_EQ(ReadFile(out + "/DECLARATION_ID"), "42");
  EXPECT_EQ(ReadFile(out + "/DETAILS"), R"({"id":42})");
  EXPECT_EQ(ReadFile(out + "/CREATED_AT"), "2026-11-22T00:00:00Z");
  EXPECT_EQ(ReadFile(out + "/inherited"), "yes");
  EXPECT_EQ(ReadFile(out + "/stdin"), "/dev/null\n");
  EXPECT_EQ(ReadFile(out + "/sigblk"), "0000000000000000");
  const std::string pgid = ReadFile(out + "/pgid");  // "PID PGID": it leads its own group
  const size_t space = pgid.find(' ');
  ASSERT_NE(space, std::string::npos);
  EXPECT_EQ(pgid.substr(0, space) + "\n", pgid.substr(space + 1));
}

TEST_F(AlertCommandTest, MerchantWideAlertsHaveEmptyDeclarationIds) {
  PendingAlert a = SampleAlert();
  a.declaration_id.reset();
  a.details.clear();
  const auto env = AlertEnvironment(a);
  EXPECT_NE(std::find(env.begin(), env.end(), "CUSTOMSD_ALERT_DECLARATION_ID="), env.end());
  EXPECT_NE(std::find(env.begin(), env.end(), "CUSTOMSD_ALERT_DETAILS={}"), env.end());
}

TEST_F(AlertCommandTest, ANonZeroExitIsAFailure) {
  Status s = Runner(10s)->Run(Script("fail.sh", "exit 1\n"), SampleAlert());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "exited with status 1");
}

TEST_F(AlertCommandTest, AMissingCommandIsAFailure) {
  Status s = Runner(10s)->Run(dir_.File("missing"), SampleAlert());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "not started: No such file or directory");
}

// True once `pid` has ended (or is gone), waiting at most `limit` on a pidfd.
bool Ends(pid_t pid, std::chrono::milliseconds limit) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return errno == ESRCH;
  pollfd p{fd, POLLIN, 0};
  const bool ended = ::poll(&p, 1, static_cast<int>(limit.count())) == 1;
  ::close(fd);
  return ended;
}

TEST_F(AlertCommandTest, ACommandThatNeverEndsIsKilledWithItsChildrenAtTheTimeLimit) {
  const std::string pid_file = dir_.File("sleep.pid");
  const std::string command = Script("hang.sh", "sleep 1000 &\necho $! > " + pid_file + "\nwait\n");
  const auto start = std::chrono::steady_clock::now();
  Status s = Runner(500ms)->Run(command, SampleAlert());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "still running after 500ms; killed");
  EXPECT_GE(took, 500ms);
  EXPECT_LT(took, 10s);
  const std::string pid = ReadFile(pid_file);
  ASSERT_FALSE(pid.empty());
  EXPECT_TRUE(Ends(static_cast<pid_t>(std::stol(pid)), 5s)) << "the script's sleep survived";
}

TEST_F(AlertCommandTest, CancelKillsTheRunningCommandAndRefusesLaterOnes) {
  const std::string fifo = dir_.File("started");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string command = Script("slow.sh", "echo started > " + fifo + "\nexec sleep 1000\n");
  auto runner = Runner(1h);
  Status result;
  std::thread run([&] { result = runner->Run(command, SampleAlert()); });

  // O_NONBLOCK so a command that never starts cannot hang the test; poll then waits for the
  // script's line (a FIFO that never had a writer does not report a hang-up).
  const int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  pollfd p{fd, POLLIN, 0};
  const bool started = ::poll(&p, 1, 10'000) == 1;
  ::close(fd);
  const auto cancelled_at = std::chrono::steady_clock::now();
  runner->Cancel();
  run.join();
  ASSERT_TRUE(started);
  EXPECT_LT(std::chrono::steady_clock::now() - cancelled_at, 5s);
  EXPECT_EQ(result.message(), "killed: customsd is stopping");

  const std::string marker = dir_.File("ran");
  Status later = runner->Run(Script("later.sh", "touch " + marker + "\n"), SampleAlert());
  EXPECT_EQ(later.message(), "not run: customsd is stopping");
  struct stat st;
  EXPECT_NE(::stat(marker.c_str(), &st), 0);
}

}  // namespace
}  // namespace customsd
