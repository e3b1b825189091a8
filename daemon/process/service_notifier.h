// Telling the service manager how the daemon is doing: sd_notify(3) behind an interface, so the
// run loop can be tested with RecordingNotifier.
//
// The protocol the run loop follows (customsd.service is Type=notify, WatchdogSec=30s):
//  - Ready() once the database is open and migrated and the keys are loaded; systemd holds
//    `systemctl start` (and units ordered after customsd) until then.
//  - On SIGHUP: Reloading(), reload, then Ready() again (systemd waits for READY=1 to finish
//    the reload job).
//  - Stopping() as soon as shutdown begins, so systemd reports "deactivating" at once.
//  - Status("...") for a one-line human summary shown by `systemctl status`; a newline would
//    start a new protocol field, so newlines are replaced by spaces.
//  - Watchdog() at least every WatchdogInterval() / 2, from the main loop only when the loop is
//    really making progress: a stuck loop must let systemd restart the daemon.
//
// Failures to notify are not reported to the caller: there is nothing useful it could do, and
// the consequence (systemd times out the start, or the watchdog fires) is the right one.
// SystemdNotifier logs them at warning level.
//
// Thread safety: both implementations may be used from several threads.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace customsd {

class ServiceNotifier {
 public:
  virtual ~ServiceNotifier() = default;

  virtual void Ready() = 0;      // READY=1
  virtual void Reloading() = 0;  // RELOADING=1
  virtual void Stopping() = 0;   // STOPPING=1
  // STATUS=<text>. (Named as in the protocol; inside this class it hides customsd::Status.)
  virtual void Status(std::string text) = 0;
  virtual void Watchdog() = 0;  // WATCHDOG=1

  // The watchdog interval systemd expects pings within (WatchdogSec=), or nullopt when the
  // watchdog is off for this process.
  virtual std::optional<std::chrono::microseconds> WatchdogInterval() const = 0;
};

// Sends to $NOTIFY_SOCKET through libsystemd's sd_notify. Every call is a no-op when
// NOTIFY_SOCKET is unset (the daemon runs in a terminal or under a manager without the
// protocol). The environment is left as it is, so later notifications still find the socket.
class SystemdNotifier final : public ServiceNotifier {
 public:
  void Ready() override;
  void Reloading() override;
  void Stopping() override;
  void Status(std::string text) override;
  void Watchdog() override;
  // sd_watchdog_enabled: WATCHDOG_USEC, and WATCHDOG_PID when set must be this process.
  std::optional<std::chrono::microseconds> WatchdogInterval() const override;
};

// Records every message in the form SystemdNotifier would send it ("READY=1",
// "STATUS=3 declarations in flight", ...), in order; RELOADING=1 without its MONOTONIC_USEC
// field, which differs on every call.
class RecordingNotifier final : public ServiceNotifier {
 public:
  explicit RecordingNotifier(
      std::optional<std::chrono::microseconds> watchdog_interval = std::nullopt)
      : watchdog_interval_(watchdog_interval) {}

  void Ready() override { Record("READY=1"); }
  void Reloading() override { Record("RELOADING=1"); }
  void Stopping() override { Record("STOPPING=1"); }
  void Status(std::string text) override;
  void Watchdog() override { Record("WATCHDOG=1"); }
  std::optional<std::chrono::microseconds> WatchdogInterval() const override {
    return watchdog_interval_;
  }

  std::vector<std::string> messages() const;
  void Clear();

 private:
  void Record(std::string message);

  const std::optional<std::chrono::microseconds> watchdog_interval_;
  mutable std::mutex mu_;
  std::vector<std::string> messages_;
};

// "STATUS=" + text with every CR and LF replaced by a space.
std::string StatusMessage(std::string text);

}  // namespace customsd
