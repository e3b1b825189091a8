#include "daemon/workflow/storage_health.h"

#include <spdlog/spdlog.h>

namespace customsd {
namespace {

std::string SecondsText(std::chrono::milliseconds d) {
  return std::to_string(d.count() / 1000) + "." + std::to_string(d.count() % 1000 / 100) + "s";
}

}  // namespace

StorageHealth::StorageHealth(const Clock& clock, Random& random) : clock_(clock), random_(random) {}

bool StorageHealth::writable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writable_;
}

bool StorageHealth::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writable_ && !trial_;
}

std::string StorageHealth::reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reason_;
}

void StorageHealth::ScheduleProbe() {
  // Equal jitter: never probe at once again, and several daemons on one disk spread out.
  next_probe_ = clock_.Now() + EqualJitter(backoff_, probes_ + 1, random_);
}

bool StorageHealth::Failed(const Status& s) {
  Change change{false, true, s.message()};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!writable_) return false;
    writable_ = false;
    reason_ = change.reason;
    change.new_episode = !trial_;
    if (trial_) {
      ++probes_;  // the backoff goes on from where the probe left it
    } else {
      probes_ = 0;
      since_ = clock_.Now();
    }
    trial_ = false;
    ScheduleProbe();
    const std::string next = SecondsText(
        std::chrono::duration_cast<std::chrono::milliseconds>(next_probe_ - clock_.Now()));
    if (change.new_episode) {
      spdlog::critical(
          "database not writable: {}; no request goes to WeChat Pay until a write succeeds "
          "again (next try in {}); nothing is lost meanwhile",
          reason_, next);
    } else {
      spdlog::error("database still not writable: {} (a probe write had passed); next try in {}",
                    reason_, next);
    }
  }
  if (listener_) listener_(change);
  return true;
}

bool StorageHealth::ProbeDue() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !writable_ && clock_.Now() >= next_probe_;
}

std::chrono::milliseconds StorageHealth::UntilProbe() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (writable_) return std::chrono::milliseconds(0);
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(next_probe_ - clock_.Now());
  return std::max(d, std::chrono::milliseconds(0));
}

void StorageHealth::ProbeFailed(const Status& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (writable_) return;
  ++probes_;
  reason_ = s.message();
  ScheduleProbe();
  spdlog::error("database still not writable: {}; next try in {}", reason_,
                SecondsText(std::chrono::duration_cast<std::chrono::milliseconds>(next_probe_ -
                                                                                  clock_.Now())));
}

void StorageHealth::Recovered() {
  std::lock_guard<std::mutex> lock(mu_);
  if (writable_) return;
  writable_ = true;
  trial_ = true;
  reason_ = "a probe write passed; waiting for a real write to commit";
}

bool StorageHealth::on_trial() const {
  std::lock_guard<std::mutex> lock(mu_);
  return trial_;
}

void StorageHealth::Confirmed() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!trial_ || !writable_) return;
    trial_ = false;
    reason_.clear();
    spdlog::warn(
        "database writable again after {}; work resumes",
        SecondsText(std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now() - since_)));
  }
  if (listener_) listener_(Change{true, false, ""});
}

}  // namespace customsd
