// Service: `customsd run`. Opens and migrates the database (PRAGMA quick_check runs beside the
// start on its own connection; a failure stops the daemon), loads the keys, starts the
// workers, tells systemd READY=1, and runs the main loop until SIGTERM or SIGINT:
//
//   loop: hand due work to idle workers -> wait for a signal, a finished job or the next due
//         time (at most 1 s, so new declarations are picked up within a second) -> WATCHDOG=1.
//   SIGHUP: re-read the config; log level and merchant keys take effect at once, anything else
//           is reported as needing a restart.
//   SIGTERM/SIGINT: STOPPING=1, take no new work, let running requests finish for up to
//           shutdown_bound, abort the rest (their outcome is recorded as unknown and checked
//           on the next start), close the database, exit 0.
//
// Signals arrive through a signalfd (daemon/process/signal_events.h); nothing runs in a
// handler. Platform certificates are refreshed on a thread of their own, so a slow or
// unreachable WeChat never stalls the loop (or the watchdog).
#pragma once

#include <chrono>
#include <string>

#include "common/clock.h"
#include "daemon/process/service_notifier.h"

namespace customsd {

struct ServiceOptions {
  std::string config_path;
  std::chrono::milliseconds shutdown_bound{std::chrono::seconds(20)};
};

// Returns the process exit code: 0 after an orderly stop, 1 when start-up fails, 2 for a bad
// config.
int RunService(const ServiceOptions& options, const Clock& clock, ServiceNotifier& notifier);

}  // namespace customsd
