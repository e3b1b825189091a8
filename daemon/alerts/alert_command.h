// Running alerts.command for one alert.
//
// AlertCommandRunner is the seam AlertDeliverer uses, so its tests need no real process.
// SpawnCommandRunner is the real one:
//  - No shell: posix_spawn(command, argv = {command}); the config requires an absolute path,
//    so nothing is looked up in $PATH and nothing in an alert can be interpreted as syntax.
//  - Environment: the daemon's own, minus any CUSTOMSD_ALERT_* it happened to carry, plus
//    AlertEnvironment(alert). stdin is /dev/null; stdout and stderr are the daemon's (so under
//    systemd the command's output lands in the journal next to the daemon's lines).
//  - Signals: SetSpawnSignalDefaults, so the child does not inherit the daemon's blocked
//    SIGTERM/SIGINT/SIGHUP or ignored SIGPIPE.
//  - The child leads a process group of its own, and every kill goes to the whole group: a
//    script's `sleep` or `curl` dies with it instead of living on as an orphan.
//  - Success is exit status 0. Anything else fails: another status, death by a signal, not
//    starting at all, or still running at the time limit (default 30 s), in which case the
//    group is killed (SIGKILL) and reaped before Run returns.
//  - Cancel() (from any thread, for shutdown) kills the command in progress at once, and every
//    later Run fails without starting anything. Such a run is a failed attempt like any other,
//    so the alert is retried on the next start: delivery is at least once.
// Requires Linux 5.3+ (pidfd_open), to wait for the child with a deadline without SIGCHLD.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "daemon/process/signal_events.h"
#include "storage/alert_outbox.h"

namespace customsd {

class AlertCommandRunner {
 public:
  virtual ~AlertCommandRunner() = default;
  // Runs `command` for `alert`; Ok when it exited 0, else a one-line reason that does not
  // repeat the word "command" ("exited with status 1"), for the caller to prefix.
  virtual Status Run(const std::string& command, const PendingAlert& alert) = 0;
  // Thread-safe. Ends the Run in progress as failed and makes later Runs fail at once.
  virtual void Cancel() {}
};

// "CUSTOMSD_ALERT_ID=7", _CAUSE, _SUMMARY, _MCHID ("" when none), _DECLARATION_ID ("" for a
// merchant-wide alert), _DETAILS (the JSON text; "{}" when none) and _CREATED_AT (RFC 3339 UTC).
std::vector<std::string> AlertEnvironment(const PendingAlert& alert);

class SpawnCommandRunner final : public AlertCommandRunner {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeLimit{30'000};

  static StatusOr<std::unique_ptr<SpawnCommandRunner>> Create(
      std::chrono::milliseconds time_limit = kDefaultTimeLimit);

  Status Run(const std::string& command, const PendingAlert& alert) override;
  void Cancel() override { cancel_->Notify(); }

 private:
  SpawnCommandRunner(std::unique_ptr<Wakeup> cancel, std::chrono::milliseconds time_limit)
      : cancel_(std::move(cancel)), time_limit_(time_limit) {}

  // Never drained: once notified, it stays readable, which is what "cancelled for good" means.
  std::unique_ptr<Wakeup> cancel_;
  const std::chrono::milliseconds time_limit_;
};

}  // namespace customsd
