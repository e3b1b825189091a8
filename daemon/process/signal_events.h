// Signals as events on the main loop, and the other descriptors that wake it.
//
// customsd handles SIGTERM, SIGINT (stop) and SIGHUP (reload) without signal handlers: the
// signals are blocked and read from a signalfd that the main loop polls next to its other
// descriptors. Nothing runs in signal context, so the code that reacts to a signal may take
// locks, allocate, log and touch the database like any other code.
//
// Contract:
//  - SignalEvents::Create() must run in the main thread BEFORE any other thread starts
//    (spdlog, libcurl's resolver, workers, GoogleTest's helpers...). A thread inherits its
//    creator's signal mask; a process-directed signal is delivered to any thread that does not
//    block it, and its default action kills the whole process. Blocking first, in the thread
//    every other thread descends from, is the only way to keep all of them blocked.
//  - SIGPIPE is ignored process-wide: a write to a closed socket or pipe fails with EPIPE (which
//    the caller sees as an error) instead of killing the daemon.
//  - The mask stays in force after SignalEvents is destroyed: a SIGTERM that arrives during
//    shutdown stays pending instead of killing the process half-way through closing the
//    database, and systemd's SIGKILL after TimeoutStopSec= is the backstop.
//  - The blocked mask and the ignored SIGPIPE are inherited across fork and exec. A child
//    process (the alert command) must get them back to default, or systemd's SIGTERM on stop
//    would not reach it: use SetSpawnSignalDefaults() with posix_spawn, or
//    ResetSignalsAfterFork() between fork and exec.
//
// Thread safety: SignalEvents::Read() and Wakeup::Drain() belong to the main loop (one thread).
// Wakeup::Notify() may be called from any thread, any number of times.
#pragma once

#include <spawn.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/status.h"

namespace customsd {

class SignalEvents {
 public:
  // The signals delivered as events: SIGTERM and SIGINT mean "stop", SIGHUP "reload".
  static constexpr std::array<int, 3> kHandled = {SIGTERM, SIGINT, SIGHUP};

  // Blocks the handled signals in the calling thread, ignores SIGPIPE and opens a
  // non-blocking, close-on-exec signalfd for the handled signals.
  static StatusOr<std::unique_ptr<SignalEvents>> Create();

  ~SignalEvents();  // closes the descriptor; the mask stays (see above)
  SignalEvents(const SignalEvents&) = delete;
  SignalEvents& operator=(const SignalEvents&) = delete;

  // Readable while a handled signal is pending.
  int fd() const { return fd_; }

  // The next pending signal number, or nullopt when none is pending. Never blocks. Several
  // deliveries of the same signal before a Read() collapse into one (standard signals do not
  // queue), which is what "stop" and "reload" want.
  std::optional<int> Read();

 private:
  explicit SignalEvents(int fd) : fd_(fd) {}
  int fd_;
};

// An eventfd that worker threads use to wake the main loop ("a result is ready").
class Wakeup {
 public:
  static StatusOr<std::unique_ptr<Wakeup>> Create();
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  // Readable after a Notify() until the next Drain().
  int fd() const { return fd_; }

  // Makes fd() readable. Thread-safe, never blocks, cannot fail in a way the caller could act
  // on (a saturated counter is still readable).
  void Notify() noexcept;

  // Clears the readiness; returns how many Notify() calls it absorbed (0 when none).
  uint64_t Drain();

 private:
  explicit Wakeup(int fd) : fd_(fd) {}
  int fd_;
};

// Passed as `timeout` to wait without a time limit.
inline constexpr std::chrono::milliseconds kWaitForever = std::chrono::milliseconds::max();

// Waits with poll(2) until at least one of `fds` is readable (or has an error or hang-up,
// which the owner discovers when it reads) or `timeout` has passed. Returns the ready
// descriptors in the order given; empty on timeout. A negative timeout means "just check".
// An interrupted poll (EINTR) is resumed with the time that remains.
StatusOr<std::vector<int>> WaitForEvents(std::span<const int> fds,
                                         std::chrono::milliseconds timeout);

// For posix_spawn: the child starts with an empty signal mask and SIGTERM, SIGINT, SIGHUP and
// SIGPIPE at their default action.
Status SetSpawnSignalDefaults(posix_spawnattr_t& attr);

// The same for fork + exec, called in the child before exec. Async-signal-safe.
void ResetSignalsAfterFork() noexcept;

}  // namespace customsd
