#include "daemon/alerts/alert_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "common/time_format.h"

extern char** environ;

namespace customsd {
namespace {

constexpr std::string_view kPrefix = "CUSTOMSD_ALERT_";

std::string DurationText(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

// The daemon's environment without CUSTOMSD_ALERT_* (a stale value must not pose as this
// alert's), followed by this alert's variables.
std::vector<std::string> ChildEnvironment(const PendingAlert& alert) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with(kPrefix)) env.emplace_back(*e);
  }
  for (std::string& v : AlertEnvironment(alert)) env.push_back(std::move(v));
  return env;
}

std::string ExitText(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended abnormally";
}

void Reap(pid_t pid, int* status) {
  while (::waitpid(pid, status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::vector<std::string> AlertEnvironment(const PendingAlert& alert) {
  const std::string p(kPrefix);
  return {
      p + "ID=" + std::to_string(alert.id),
      p + "CAUSE=" + alert.cause,
      p + "SUMMARY=" + alert.summary,
      p + "MCHID=" + alert.mchid,
      p + "DECLARATION_ID=" + (alert.declaration_id ? std::to_string(*alert.declaration_id) : ""),
      p + "DETAILS=" + (alert.details.empty() ? "{}" : alert.details),
      p + "CREATED_AT=" + FormatRfc3339(alert.created_at)};
}

StatusOr<std::unique_ptr<SpawnCommandRunner>> SpawnCommandRunner::Create(
    std::chrono::milliseconds time_limit) {
  auto wakeup = Wakeup::Create();
  if (!wakeup.ok()) return wakeup.status();
  return std::unique_ptr<SpawnCommandRunner>(
      new SpawnCommandRunner(std::move(wakeup).value(), time_limit));
}

Status SpawnCommandRunner::Run(const std::string& command, const PendingAlert& alert) {
  const std::array<int, 1> cancel_fd = {cancel_->fd()};
  auto cancelled = WaitForEvents(cancel_fd, std::chrono::milliseconds(-1));
  if (!cancelled.ok() || !cancelled->empty()) {
    return Status::Unavailable("not run: customsd is stopping");
  }

  std::vector<std::string> env = ChildEnvironment(alert);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string path = command;
  std::array<char*, 2> argv = {path.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  int err = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (err == 0) err = posix_spawnattr_setpgroup(&attr, 0);  // its own group, led by itself
  if (err == 0) err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  // After setflags: SetSpawnSignalDefaults adds its flags to those already set.
  Status defaults = err == 0 ? SetSpawnSignalDefaults(attr) : Status::Ok();
  pid_t pid = -1;
  if (err == 0 && defaults.ok()) {
    err = posix_spawn(&pid, path.c_str(), &actions, &attr, argv.data(), envp.data());
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (!defaults.ok()) return defaults;
  if (err != 0) return Status::Unavailable(std::string("not started: ") + strerror(err));

  // The child stays unreaped (a zombie at worst) until Reap below, so neither its pid nor its
  // process group id can be reused while we signal them.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  std::string failure;
  if (pidfd < 0) {
    failure = std::string("cannot be watched: ") + strerror(errno);
  } else {
    const std::array<int, 2> fds = {pidfd, cancel_->fd()};
    auto ready = WaitForEvents(fds, time_limit_);
    if (!ready.ok()) {
      failure = "cannot be waited for: " + ready.status().message();
    } else if (ready->empty()) {
      failure = "still running after " + DurationText(time_limit_) + "; killed";
    } else if (ready->front() != pidfd) {
      failure = "killed: customsd is stopping";
    }
    ::close(pidfd);
  }
  int status = 0;
  if (!failure.empty()) {
    ::kill(-pid, SIGKILL);
    Reap(pid, &status);
    return Status::Unavailable(failure);
  }
  Reap(pid, &status);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  return Status::Unavailable(ExitText(status));
}

}  // namespace customsd
