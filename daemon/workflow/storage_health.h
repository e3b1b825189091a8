// StorageHealth: whether the database takes writes, as a state of the whole daemon.
//
// A failed commit (disk full, read-only file or mount, I/O error, a lock held past its
// timeout) is not a fault of the declaration that happened to be writing: every declaration
// would fail the same way. So the first such failure marks the database unwritable for all of
// them: the engine stops sending (nothing can be recorded first, and a poll's answer would be
// lost), and instead probes with a small write transaction, with backoff and jitter
// (1 s doubling to 60 s), until one commits. Each state change and each failed probe is one log
// line, however many declarations wait: a full disk must not also fill the journal.
//
// A probe that commits proves less than it seems: on a full disk a one-row write may still fit
// in the WAL's old space while the next real commit does not. So after a successful probe the
// database is on trial: the engine runs one job at a time until one of its writes commits
// (Confirmed), or finds nothing at all left to do. A failure on trial is the same episode going
// on: no new alert, and the probes' backoff goes on growing instead of starting again at 1 s.
// The daemon is not ready (/healthz 503, customsd_database_writable 0) until the trial ends:
// reporting ready on the probe alone made a full disk flap between 200 and 503.
//
// Contract
//  - Failed(status) on a writable database makes it unwritable and returns true (the caller
//    logs the details of its own write only then); on an unwritable one it returns false.
//  - ProbeDue() says when to probe; ProbeFailed and Recovered record its result; Confirmed
//    ends the trial that Recovered began.
//  - writable() is true from a passing probe on (the engine may try one job); ready() only once
//    the trial is over.
//  - The listener runs on the thread that changed the state, outside the lock, once per change
//    of ready() (ready -> unwritable, and the end of a trial); new_episode is false for a
//    failure on trial. It may call writable(), ready() and reason().
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "common/backoff.h"
#include "common/clock.h"
#include "common/status.h"

namespace customsd {

class StorageHealth {
 public:
  struct Change {
    bool writable = true;
    bool new_episode = true;  // not a relapse during the trial after a probe
    std::string reason;       // why not writable; "" when writable
  };
  using Listener = std::function<void(const Change&)>;

  StorageHealth(const Clock& clock, Random& random);

  // Set once, before the workers start.
  void set_listener(Listener listener) { listener_ = std::move(listener); }

  bool writable() const;
  bool ready() const;          // writable and off trial
  std::string reason() const;  // why not ready; "" while ready

  [[nodiscard]] bool Failed(const Status& s);
  bool ProbeDue() const;
  void ProbeFailed(const Status& s);
  void Recovered();
  bool on_trial() const;
  void Confirmed();
  // Until the next probe; zero when one is due or the database is writable.
  std::chrono::milliseconds UntilProbe() const;

 private:
  void ScheduleProbe();  // with mu_ held

  const Clock& clock_;
  Random& random_;
  const BackoffConfig backoff_{std::chrono::seconds(1), std::chrono::seconds(60), 2.0};
  Listener listener_;
  mutable std::mutex mu_;
  bool writable_ = true;
  bool trial_ = false;
  std::string reason_;
  int probes_ = 0;  // failed probes since the database became unwritable
  TimePoint since_{};
  TimePoint next_probe_{};
};

}  // namespace customsd
