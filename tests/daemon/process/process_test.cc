// Tests of daemon/process: signals as events, Wakeup, the service notifiers and logging.
//
// Signals are raised for real (kill, pthread_kill) and awaited with poll and a deadline: a
// test that fails waits at most kDeadline, and no test sleeps.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "daemon/process/logging.h"
#include "daemon/process/service_notifier.h"
#include "daemon/process/signal_events.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace customsd {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kDeadline(5000);

// Sets (or unsets, with nullopt) an environment variable for one test and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

bool IsReady(int fd, milliseconds timeout) {
  const std::array<int, 1> fds = {fd};
  StatusOr<std::vector<int>> ready = WaitForEvents(fds, timeout);
  EXPECT_TRUE(ready.ok()) << ready.status().message();
  return ready.ok() && !ready->empty();
}

std::unique_ptr<SignalEvents> MakeSignalEvents() {
  StatusOr<std::unique_ptr<SignalEvents>> events = SignalEvents::Create();
  EXPECT_TRUE(events.ok()) << events.status().message();
  return events.ok() ? std::move(events).value() : nullptr;
}

// --- SignalEvents --------------------------------------------------------------------------

TEST(SignalEventsTest, KillSighupIsReadAsAnEvent) {
  auto events = MakeSignalEvents();
  ASSERT_NE(events, nullptr);
  ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
  ASSERT_TRUE(IsReady(events->fd(), kDeadline));
  EXPECT_EQ(events->Read(), SIGHUP);
  EXPECT_EQ(events->Read(), std::nullopt);
  EXPECT_FALSE(IsReady(events->fd(), milliseconds(0)));
}

TEST(SignalEventsTest, PthreadKillSigtermIsReadAsAnEvent) {
  auto events = MakeSignalEvents();
  ASSERT_NE(events, nullptr);
  ASSERT_EQ(::pthread_kill(::pthread_self(), SIGTERM), 0);
  ASSERT_TRUE(IsReady(events->fd(), kDeadline));
  EXPECT_EQ(events->Read(), SIGTERM);
  EXPECT_EQ(events->Read(), std::nullopt);
}

TEST(SignalEventsTest, SeveralPendingSignalsAreEachReadOnce) {
  auto events = MakeSignalEvents();
  ASSERT_NE(events, nullptr);
  ASSERT_EQ(::kill(::getpid(), SIGINT), 0);
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);  // standard signals do not queue: read once
  std::multiset<int> got;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (got.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    if (!IsReady(events->fd(), kDeadline)) break;
    while (std::optional<int> sig = events->Read()) got.insert(*sig);
  }
  EXPECT_EQ(got, (std::multiset<int>{SIGINT, SIGTERM}));
  EXPECT_EQ(events->Read(), std::nullopt);
}

TEST(SignalEventsTest, NothingPendingMeansNothingToRead) {
  auto events = MakeSignalEvents();
  ASSERT_NE(events, nullptr);
  EXPECT_FALSE(IsReady(events->fd(), milliseconds(0)));
  EXPECT_EQ(events->Read(), std::nullopt);
}

TEST(SignalEventsTest, HandledSignalsAreBlockedAndSigpipeIgnored) {
  auto events = MakeSignalEvents();
  ASSERT_NE(events, nullptr);
  sigset_t mask;
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, nullptr, &mask), 0);
  for (int sig : SignalEvents::kHandled) EXPECT_EQ(sigismember(&mask, sig), 1) << sig;

  struct sigaction pipe_action = {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &pipe_action), 0);
  EXPECT_EQ(pipe_action.sa_handler, SIG_IGN);

  // Writing to a pipe nobody reads fails with EPIPE instead of killing the test.
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ::close(p[0]);
  EXPECT_EQ(::write(p[1], "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  ::close(p[1]);
}

// Runs `script` with /bin/sh and returns its wait status.
int SpawnShell(const char* script, bool with_defaults) {
  posix_spawnattr_t attr;
  EXPECT_EQ(::posix_spawnattr_init(&attr), 0);
  if (with_defaults) {
    Status s = SetSpawnSignalDefaults(attr);
    EXPECT_TRUE(s.ok()) << s.message();
  }
  const char* argv[] = {"/bin/sh", "-c", script, nullptr};
  pid_t pid = -1;
  const int err = ::posix_spawn(&pid, "/bin/sh", nullptr, &attr, const_cast<char**>(argv), environ);
  ::posix_spawnattr_destroy(&attr);
  EXPECT_EQ(err, 0) << std::strerror(err);
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return status;
}

// Without the defaults the child inherits the blocked mask and ignores its own SIGTERM: this
// is the trap SetSpawnSignalDefaults exists for.
TEST(SignalEventsTest, SpawnedChildNeedsSignalDefaults) {
  auto events = MakeSignalEvents();
  ASSERT_NE(events, nullptr);
  const int inherited = SpawnShell("kill -TERM $$; exit 7", false);
  ASSERT_TRUE(WIFEXITED(inherited));
  EXPECT_EQ(WEXITSTATUS(inherited), 7);

  const std::pair<const char*, int> cases[] = {{"kill -TERM $$; exit 7", SIGTERM},
                                               {"kill -PIPE $$; exit 7", SIGPIPE}};
  for (const auto& [script, sig] : cases) {
    const int status = SpawnShell(script, true);
    ASSERT_TRUE(WIFSIGNALED(status)) << script;
    EXPECT_EQ(WTERMSIG(status), sig) << script;
  }
}

TEST(SignalEventsTest, ResetSignalsAfterForkRestoresDefaults) {
  auto events = MakeSignalEvents();
  ASSERT_NE(events, nullptr);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ResetSignalsAfterFork();
    ::execl("/bin/sh", "sh", "-c", "kill -HUP $$; exit 7", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGHUP);
}

// --- Wakeup and WaitForEvents -----------------------------------------------------------------

std::unique_ptr<Wakeup> MakeWakeup() {
  StatusOr<std::unique_ptr<Wakeup>> wakeup = Wakeup::Create();
  EXPECT_TRUE(wakeup.ok()) << wakeup.status().message();
  return wakeup.ok() ? std::move(wakeup).value() : nullptr;
}

TEST(WakeupTest, NotifyFromAnotherThreadWakesPoll) {
  auto wakeup = MakeWakeup();
  ASSERT_NE(wakeup, nullptr);
  auto events = MakeSignalEvents();
  ASSERT_NE(events, nullptr);
  std::thread worker([&] { wakeup->Notify(); });
  const std::array<int, 2> fds = {events->fd(), wakeup->fd()};
  StatusOr<std::vector<int>> ready = WaitForEvents(fds, kDeadline);
  worker.join();
  ASSERT_TRUE(ready.ok()) << ready.status().message();
  EXPECT_EQ(*ready, std::vector<int>{wakeup->fd()});
  EXPECT_EQ(wakeup->Drain(), 1u);
  EXPECT_FALSE(IsReady(wakeup->fd(), milliseconds(0)));
  EXPECT_EQ(wakeup->Drain(), 0u);
}

TEST(WakeupTest, NotificationsFromManyThreadsCollapseIntoOneWakeup) {
  auto wakeup = MakeWakeup();
  ASSERT_NE(wakeup, nullptr);
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 100; ++i) wakeup->Notify();
    });
  }
  for (std::thread& w : workers) w.join();
  ASSERT_TRUE(IsReady(wakeup->fd(), kDeadline));
  EXPECT_EQ(wakeup->Drain(), 400u);
  EXPECT_FALSE(IsReady(wakeup->fd(), milliseconds(0)));
}

TEST(WaitForEventsTest, TimesOutWithNothingReady) {
  auto wakeup = MakeWakeup();
  ASSERT_NE(wakeup, nullptr);
  const std::array<int, 1> fds = {wakeup->fd()};
  const auto start = std::chrono::steady_clock::now();
  StatusOr<std::vector<int>> ready = WaitForEvents(fds, milliseconds(30));
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->empty());
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(30));

  ready = WaitForEvents(fds, milliseconds(-5));  // a deadline already past: just check
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->empty());
}

TEST(WaitForEventsTest, ForeverReturnsOnceSomethingIsReady) {
  auto wakeup = MakeWakeup();
  ASSERT_NE(wakeup, nullptr);
  wakeup->Notify();
  const std::array<int, 1> fds = {wakeup->fd()};
  StatusOr<std::vector<int>> ready = WaitForEvents(fds, kWaitForever);
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(*ready, std::vector<int>{wakeup->fd()});
}

// --- ServiceNotifier -------------------------------------------------------------------------

TEST(RecordingNotifierTest, RecordsEveryMessageInOrder) {
  RecordingNotifier notifier(std::chrono::seconds(30));
  notifier.Ready();
  notifier.Status("2 declarations\nin flight");
  notifier.Watchdog();
  notifier.Reloading();
  notifier.Stopping();
  EXPECT_EQ(notifier.messages(),
            (std::vector<std::string>{"READY=1", "STATUS=2 declarations in flight", "WATCHDOG=1",
                                      "RELOADING=1", "STOPPING=1"}));
  EXPECT_EQ(notifier.WatchdogInterval(), std::chrono::seconds(30));
  notifier.Clear();
  EXPECT_TRUE(notifier.messages().empty());
  EXPECT_EQ(RecordingNotifier().WatchdogInterval(), std::nullopt);
}

// A unix datagram socket standing in for systemd's notification socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool bound() const { return bound_; }

  // The next datagram, or nullopt when none arrives within `timeout`.
  std::optional<std::string> Receive(milliseconds timeout = kDeadline) {
    if (!IsReady(fd_, timeout)) return std::nullopt;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
};

TEST(SystemdNotifierTest, SendsEachMessageToNotifySocket) {
  testing::TempDir dir;
  NotifySocket socket(dir.File("notify"));
  ASSERT_TRUE(socket.bound()) << std::strerror(errno);
  ScopedEnv env("NOTIFY_SOCKET", dir.File("notify"));

  SystemdNotifier notifier;
  notifier.Ready();
  EXPECT_EQ(socket.Receive(), "READY=1");
  notifier.Status("polling 3 declarations\n(2 due)");
  EXPECT_EQ(socket.Receive(), "STATUS=polling 3 declarations (2 due)");
  notifier.Watchdog();
  EXPECT_EQ(socket.Receive(), "WATCHDOG=1");
  notifier.Reloading();
  std::optional<std::string> reloading = socket.Receive();
  ASSERT_TRUE(reloading.has_value());
  EXPECT_TRUE(std::regex_match(*reloading, std::regex("RELOADING=1\nMONOTONIC_USEC=[0-9]+")))
      << *reloading;
  notifier.Stopping();
  EXPECT_EQ(socket.Receive(), "STOPPING=1");
}

TEST(SystemdNotifierTest, DoesNothingWithoutNotifySocket) {
  testing::TempDir dir;
  NotifySocket socket(dir.File("notify"));
  ASSERT_TRUE(socket.bound());
  ScopedEnv env("NOTIFY_SOCKET", std::nullopt);
  SystemdNotifier notifier;
  notifier.Ready();
  notifier.Status("x");
  notifier.Watchdog();
  notifier.Stopping();
  EXPECT_EQ(socket.Receive(milliseconds(0)), std::nullopt);
}

TEST(SystemdNotifierTest, WatchdogIntervalComesFromTheEnvironment) {
  SystemdNotifier notifier;
  {
    ScopedEnv usec("WATCHDOG_USEC", "30000000");
    ScopedEnv pid("WATCHDOG_PID", std::to_string(::getpid()));
    EXPECT_EQ(notifier.WatchdogInterval(), std::chrono::seconds(30));
  }
  {
    // Meant for another process (inherited by a child): not ours to ping.
    ScopedEnv usec("WATCHDOG_USEC", "30000000");
    ScopedEnv pid("WATCHDOG_PID", std::to_string(::getpid() + 1));
    EXPECT_EQ(notifier.WatchdogInterval(), std::nullopt);
  }
  ScopedEnv usec("WATCHDOG_USEC", std::nullopt);
  EXPECT_EQ(notifier.WatchdogInterval(), std::nullopt);
}

// --- Logging ---------------------------------------------------------------------------------

TEST(LoggingTest, ParsesTheConfigLevels) {
  EXPECT_EQ(*ParseLogLevel("trace"), spdlog::level::trace);
  EXPECT_EQ(*ParseLogLevel("debug"), spdlog::level::debug);
  EXPECT_EQ(*ParseLogLevel("info"), spdlog::level::info);
  EXPECT_EQ(*ParseLogLevel("warn"), spdlog::level::warn);
  EXPECT_EQ(*ParseLogLevel("error"), spdlog::level::err);
  EXPECT_EQ(*ParseLogLevel("critical"), spdlog::level::critical);
  EXPECT_EQ(*ParseLogLevel("off"), spdlog::level::off);
  for (const char* bad : {"", "INFO", "warning", "err", "verbose", "info "}) {
    StatusOr<spdlog::level::level_enum> level = ParseLogLevel(bad);
    ASSERT_FALSE(level.ok()) << bad;
    EXPECT_EQ(level.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(level.status().message().find("log.level"), std::string::npos);
  }
  EXPECT_FALSE(SetUpLogging("loud").ok());
}

TEST(LoggingTest, JournalLinesCarryThePriorityAndNoTimestamp) {
  std::ostringstream out;
  auto logger = MakeLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out),
                           spdlog::level::debug, LogFormat::kJournal);
  logger->trace("not shown");
  logger->debug("d {}", 1);
  logger->info("i");
  logger->warn("w");
  logger->error("e");
  logger->critical("c");
  EXPECT_EQ(out.str(), "<7>debug d 1\n<6>info i\n<4>warning w\n<3>error e\n<2>critical c\n");
}

TEST(LoggingTest, TerminalLinesStartWithAUtcTimestamp) {
  std::ostringstream out;
  auto logger = MakeLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out),
                           spdlog::level::info, LogFormat::kTerminal);
  logger->debug("not shown");
  logger->info("declaration {} accepted", "OUT-1");
  EXPECT_TRUE(std::regex_match(
      out.str(), std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
                            "info declaration OUT-1 accepted\n")))
      << out.str();
}

TEST(LoggingTest, OneEventIsOneLineAndSecretsAreMasked) {
  std::ostringstream out;
  auto logger = MakeLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out),
                           spdlog::level::info, LogFormat::kJournal);
  logger->error("WeChat said: {}", "line one\n<3>forged line");
  logger->warn("request headers:\nAuthorization: WECHATPAY2-SHA256-RSA2048 signature=\"s3cr3t\"");
  EXPECT_EQ(out.str(),
            "<3>error WeChat said: line one\\n<3>forged line\n"
            "<4>warning request headers:\\nAuthorization: [REDACTED]\n");
}

TEST(LoggingTest, SetUpLoggingInstallsTheDefaultLoggerAndSetLogLevelChangesIt) {
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  ASSERT_TRUE(SetUpLogging("warn").ok());
  EXPECT_EQ(spdlog::default_logger()->name(), "customsd");
  EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::warn);
  ASSERT_TRUE(SetLogLevel("debug").ok());
  EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::debug);
  EXPECT_FALSE(SetLogLevel("chatty").ok());
  EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::debug);
  spdlog::set_default_logger(previous);
}

TEST(LoggingTest, StdoutIsJournalOnlyWhenJournalStreamNamesStdout) {
  struct stat st;
  ASSERT_EQ(::fstat(STDOUT_FILENO, &st), 0);
  const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  {
    ScopedEnv env("JOURNAL_STREAM", mine);
    EXPECT_TRUE(StdoutIsJournal());
    EXPECT_EQ(DetectLogFormat(), LogFormat::kJournal);
  }
  {
    // Inherited from a parent whose stdout went to the journal; ours goes elsewhere.
    ScopedEnv env("JOURNAL_STREAM",
                  std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1));
    EXPECT_FALSE(StdoutIsJournal());
  }
  ScopedEnv env("JOURNAL_STREAM", std::nullopt);
  EXPECT_FALSE(StdoutIsJournal());
  EXPECT_EQ(DetectLogFormat(), LogFormat::kTerminal);
}

TEST(RedactSecretsTest, MasksTheAuthorizationHeaderValue) {
  const std::string header =
      "Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"593BEC0C930BF1"
      "AFEB40B4A08C8FB242\",signature=\"uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D"
      "5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c"
      "1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI8"
      "3X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XmoHxAx2/n5bFasAyx2Hb/V5ALp2iF"
      "0lzTBYTWk1q4LKaRJy2uA==\",timestamp=\"1554208460\",serial_no=\"1DDE55AD98ED71D6EDD4A4A16"
      "996DE7B47773A8C\"";
  EXPECT_EQ(RedactSecrets(header), "Authorization: [REDACTED]");
  EXPECT_EQ(
      RedactSecrets("POST /v3/global/customs/orders\r\n" + header + "\r\nAccept: application/json"),
      "POST /v3/global/customs/orders\r\nAuthorization: [REDACTED]\r\n"
      "Accept: application/json");
  EXPECT_EQ(RedactSecrets("authorization:Bearer abc"), "authorization:[REDACTED]");
  EXPECT_EQ(RedactSecrets("Proxy-Authorization: Basic dXNlcjpwYXNz"),
            "Proxy-Authorization: [REDACTED]");
}

TEST(RedactSecretsTest, MasksAQuotedAuthorizationValue) {
  EXPECT_EQ(RedactSecrets("{\"Authorization\":\"WECHATPAY2-SHA256-RSA2048 mchid=\\\"19\\\","
                          "signature=\\\"abc\\\"\",\"Accept\":\"application/json\"}"),
            "{\"Authorization\":\"[REDACTED]\",\"Accept\":\"application/json\"}");
  EXPECT_EQ(RedactSecrets("headers authorization='Basic eHl6' sent"),
            "headers authorization='[REDACTED]' sent");
}

TEST(RedactSecretsTest, LeavesOrdinaryTextAlone) {
  for (const char* text : {"", "authorization failed: NOAUTH", "Authorization", "-----",
                           "declaration OUT-1 accepted; state PROCESSING"}) {
    EXPECT_EQ(RedactSecrets(text), text);
  }
  EXPECT_EQ(RedactSecrets("Authorization: "), "Authorization: ");  // nothing to mask
}

TEST(RedactSecretsTest, MasksPemBlocks) {
  const std::string key =
      "-----BEGIN PRIVATE KEY-----\n"
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDCFbSOqgqtuZXY\n"
      "y2ARuj33bjwHhJ3K2Vvcb8V1gGz+ZrbHGtTeg3mBN4v7DqPrX9B6A1bYhgwvjMJT\n"
      "-----END PRIVATE KEY-----";
  EXPECT_EQ(RedactSecrets("loaded " + key + " from file"),
            "loaded -----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY----- from file");
  EXPECT_EQ(RedactSecrets(key + "\n" + key),
            "-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----\n"
            "-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----");
  // Truncated (no END line): masked to the end.
  EXPECT_EQ(RedactSecrets("x -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA"),
            "x -----BEGIN RSA PRIVATE KEY-----[REDACTED]");
  EXPECT_EQ(RedactSecrets("x -----BEGIN MIIEpAIBAAKCAQEA"), "x -----BEGIN [REDACTED]");
}

TEST(EscapeControlCharactersTest, KeepsOneLine) {
  EXPECT_EQ(EscapeControlCharacters("a\nb\rc\td\x01\x7f"
                                    "e\\f 中"),
            "a\\nb\\rc\\td\\x01\\x7fe\\f 中");
}

}  // namespace
}  // namespace customsd
