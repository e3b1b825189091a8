#include "daemon/process/signal_events.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace customsd {
namespace {

std::string ErrnoMessage(const std::string& what, int err) {
  return what + ": " + std::strerror(err);
}

sigset_t HandledSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : SignalEvents::kHandled) sigaddset(&set, sig);
  return set;
}

// Closes on every path, retrying nothing: close(2) must not be retried on Linux after EINTR.
void CloseFd(int fd) {
  if (fd >= 0) ::close(fd);
}

}  // namespace

StatusOr<std::unique_ptr<SignalEvents>> SignalEvents::Create() {
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  if (::sigaction(SIGPIPE, &ignore, nullptr) != 0) {
    return Status::Internal(ErrnoMessage("cannot ignore SIGPIPE", errno));
  }
  const sigset_t set = HandledSet();
  // pthread_sigmask returns the error number instead of setting errno.
  if (int err = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); err != 0) {
    return Status::Internal(ErrnoMessage("cannot block SIGTERM, SIGINT and SIGHUP", err));
  }
  const int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return Status::Internal(ErrnoMessage("cannot open a signalfd", errno));
  return std::unique_ptr<SignalEvents>(new SignalEvents(fd));
}

SignalEvents::~SignalEvents() { CloseFd(fd_); }

std::optional<int> SignalEvents::Read() {
  signalfd_siginfo info;
  for (;;) {
    const ssize_t n = ::read(fd_, &info, sizeof(info));
    if (n == static_cast<ssize_t>(sizeof(info))) return static_cast<int>(info.ssi_signo);
    if (n < 0 && errno == EINTR) continue;
    // EAGAIN: nothing pending. A signalfd hands out whole records only, so a short read does
    // not happen; treating it and any other error as "nothing pending" keeps the loop alive.
    return std::nullopt;
  }
}

StatusOr<std::unique_ptr<Wakeup>> Wakeup::Create() {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return Status::Internal(ErrnoMessage("cannot open an eventfd", errno));
  return std::unique_ptr<Wakeup>(new Wakeup(fd));
}

Wakeup::~Wakeup() { CloseFd(fd_); }

void Wakeup::Notify() noexcept {
  const uint64_t one = 1;
  // EAGAIN means the counter is at its maximum: the descriptor is readable anyway.
  while (::write(fd_, &one, sizeof(one)) < 0 && errno == EINTR) {
  }
}

uint64_t Wakeup::Drain() {
  uint64_t count = 0;
  for (;;) {
    if (::read(fd_, &count, sizeof(count)) == static_cast<ssize_t>(sizeof(count))) return count;
    if (errno != EINTR) return 0;  // EAGAIN: nothing to drain
  }
}

StatusOr<std::vector<int>> WaitForEvents(std::span<const int> fds,
                                         std::chrono::milliseconds timeout) {
  using std::chrono::steady_clock;
  std::vector<pollfd> pfds;
  pfds.reserve(fds.size());
  for (int fd : fds) pfds.push_back({.fd = fd, .events = POLLIN, .revents = 0});

  const bool forever = timeout == kWaitForever;
  if (timeout.count() < 0) timeout = std::chrono::milliseconds(0);
  const steady_clock::time_point deadline =
      forever ? steady_clock::time_point::max() : steady_clock::now() + timeout;
  for (;;) {
    int wait_ms = -1;
    if (!forever) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - steady_clock::now());
      // poll takes an int; a longer wait simply wakes early and the caller loops.
      wait_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, INT32_MAX));
    }
    const int n = ::poll(pfds.data(), pfds.size(), wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Internal(ErrnoMessage("poll failed", errno));
    std::vector<int> ready;
    for (const pollfd& p : pfds) {
      if (p.revents != 0) ready.push_back(p.fd);
    }
    return ready;
  }
}

Status SetSpawnSignalDefaults(posix_spawnattr_t& attr) {
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults = HandledSet();
  sigaddset(&defaults, SIGPIPE);
  short flags = 0;
  int err = ::posix_spawnattr_getflags(&attr, &flags);
  if (err == 0) err = ::posix_spawnattr_setsigmask(&attr, &empty);
  if (err == 0) err = ::posix_spawnattr_setsigdefault(&attr, &defaults);
  if (err == 0) {
    err = ::posix_spawnattr_setflags(
        &attr, static_cast<short>(flags | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  }
  if (err != 0) return Status::Internal(ErrnoMessage("cannot set spawn signal attributes", err));
  return Status::Ok();
}

void ResetSignalsAfterFork() noexcept {
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGPIPE, &dfl, nullptr);
  for (int sig : SignalEvents::kHandled) ::sigaction(sig, &dfl, nullptr);
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
}

}  // namespace customsd
