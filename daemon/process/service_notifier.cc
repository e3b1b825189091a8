#include "daemon/process/service_notifier.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

namespace customsd {
namespace {

void Notify(const std::string& message) {
  // unset_environment = 0: the same socket is used for every later notification.
  const int r = sd_notify(0, message.c_str());
  if (r < 0) spdlog::warn("sd_notify({}) failed: {}", message, std::strerror(-r));
}

uint64_t MonotonicMicros() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

}  // namespace

std::string StatusMessage(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return "STATUS=" + text;
}

void SystemdNotifier::Ready() { Notify("READY=1"); }

// MONOTONIC_USEC is ignored by systemd 252 and required with RELOADING=1 by the
// Type=notify-reload services of systemd 253 and later; sending it keeps both working.
void SystemdNotifier::Reloading() {
  Notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(MonotonicMicros()));
}

void SystemdNotifier::Stopping() { Notify("STOPPING=1"); }

void SystemdNotifier::Status(std::string text) { Notify(StatusMessage(std::move(text))); }

// Not logged on failure: the run loop pings every few seconds and one warning per ping would
// flood the journal; a missed ping shows up as systemd's watchdog timeout.
void SystemdNotifier::Watchdog() { sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::microseconds> SystemdNotifier::WatchdogInterval() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

void RecordingNotifier::Status(std::string text) { Record(StatusMessage(std::move(text))); }

std::vector<std::string> RecordingNotifier::messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

void RecordingNotifier::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  messages_.clear();
}

void RecordingNotifier::Record(std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  messages_.push_back(std::move(message));
}

}  // namespace customsd
