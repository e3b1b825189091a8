// Engine: picks due declarations and runs their steps, up to max_in_flight at once and never
// faster than requests_per_second (one token bucket for all merchants).
//
// - Due work is found through the partial index on next_attempt_at; declarations in poll phase
//   of the same (mchid, out_trade_no, customs) become one job, so one query serves them all.
// - A merchant refused as a whole (401 SIGN_ERROR) is held: all its work waits. A merchant
//   refused at one customs (NOAUTH, customs information not configured, Self-Clearance off)
//   is held there only: its new sends (submit, modify, re-push) to that customs wait, while
//   polls and other customs go on. Either hold raises one alert until it lifts, lets one probe
//   job through per hold_probe_interval, and lifts at the first answer showing the refusal is
//   over (for a customs, an answer to a send). See MerchantHolds.
// - A write that fails for a reason of the database itself (full, read-only, I/O) makes the
//   database unwritable for the whole engine (StorageHealth): no job starts and no request
//   goes out, queued jobs are put back, and the next passes only probe with one small write
//   (backoff with jitter) until it commits. Polls stop too: their answers could not be stored.
// - RunDueInline() does one pass on the calling thread (tests, and a fake clock). The daemon
//   uses StartWorkers() + Dispatch() from its main loop, and StopWorkers() on shutdown.
//
// Thread safety: Dispatch, RunDueInline, StartWorkers and StopWorkers are for the main thread;
// workers report back internally and call the on_done callback from their own threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "daemon/workflow/job_runner.h"
#include "daemon/workflow/merchant_holds.h"
#include "daemon/workflow/storage_health.h"
#include "daemon/workflow/token_bucket.h"
#include "storage/group_writer.h"
#include "storage/statement_cache.h"

namespace customsd {

struct EngineOptions {
  int max_in_flight = 16;
  double requests_per_second = 50;
  int batch_size = 512;
  std::chrono::milliseconds hold_probe_interval{std::chrono::minutes(5)};
  std::chrono::milliseconds max_idle{1000};  // new declarations are noticed within this
  uint64_t seed = 0;                         // jitter; 0 = from the clock
};

struct EngineCounters {
  int64_t jobs = 0;
  int64_t requests = 0;
  int64_t conflicts = 0;
};

class Engine {
 public:
  using DatabaseFactory = std::function<StatusOr<std::unique_ptr<Database>>()>;

  Engine(EngineOptions options, WorkflowSettings settings, Database& db, DatabaseFactory open_db,
         ClientLookup clients, const Clock& clock);
  ~Engine();

  // The due jobs, at most max_jobs, skipping declarations already running and held work (but
  // for one probe job per hold whose probe is due).
  std::vector<Job> CollectDue(int max_jobs);

  // Runs every job due now on the calling thread, through `gate`; returns how many ran.
  int RunDueInline(RequestGate& gate);

  // Starts max_in_flight workers and one GroupWriter on a connection of their own, which
  // commits the workers' transitions together. on_done runs on a worker thread after each job;
  // its argument says whether Dispatch would hand out work now (enough free slots, see
  // Dispatch), so the daemon wakes its main loop only then, not once per answer.
  Status StartWorkers(std::function<void(bool dispatch_useful)> on_done);
  // Hands due jobs to idle workers. Returns how long the main loop may sleep before calling
  // again (until the next due time, at most max_idle). While jobs run, it waits until a
  // quarter of the workers (at most 4) are idle, so one read of the due work feeds several.
  std::chrono::milliseconds Dispatch();
  // Takes no more jobs, drops queued ones, and waits up to `bound` for running ones. Returns
  // how many were still running at the bound (the caller then aborts the transport).
  int StopWorkers(std::chrono::milliseconds bound);
  // Waits for the workers to end after StopWorkers (and a transport abort), then for their
  // last writes.
  void JoinWorkers();

  int running() const;
  EngineCounters counters() const;
  MerchantHolds& holds() { return holds_; }
  // Set once, before StartWorkers; nullptr = nobody listens.
  void set_observer(WorkflowObserver* observer) { observer_ = observer; }
  TokenBucket& bucket() { return bucket_; }
  StorageHealth& storage() { return storage_; }
  // The workers' group writer, from StartWorkers until JoinWorkers (null otherwise): other
  // writers of declarations (the API's posts) share its commits instead of taking turns with
  // it at SQLite's write lock, where each wait is a busy-handler sleep of milliseconds.
  TransactionWriter* writer() { return writer_.get(); }

 private:
  void WorkerLoop(int index, std::function<void(bool)> on_done);
  // Free slots Dispatch waits for while jobs run (guarded by mu_ for its inputs).
  int DispatchThreshold() const;
  void AfterJob(const Job& job, const JobReport& report, TransactionWriter& db);
  bool HeldBack(const Job& job);
  // Holds `scope` for the refusal `o` and alerts when the hold is new.
  void StartHold(const HoldScope& scope, const ApiOutcome& o, TransactionWriter& db, int64_t now);
  // Lifts `scope`'s hold, if any, and closes its alert.
  void EndHold(const HoldScope& scope, TransactionWriter& db);
  void NotifyHolds();
  // While the database is unwritable: probes it when due. True when it takes writes.
  bool StorageWritable();
  // Ends the storage trial when no declaration is due now or later.
  void EndTrialIfIdle();

  EngineOptions options_;
  WorkflowSettings settings_;
  Database& db_;
  DatabaseFactory open_db_;
  ClientLookup clients_;
  const Clock& clock_;
  DeclarationStore store_;
  // The main loop's statements (the due-work query after every few jobs) on db_.
  StatementCache cache_;
  MerchantHolds holds_;
  TokenBucket bucket_;
  SeededRandom storage_random_;
  StorageHealth storage_;

  mutable std::mutex mu_;
  // Apart, so that a job's end wakes nobody who cannot use it: one idle worker per queued
  // job (not all of them), and StopWorkers only when the last job ends.
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<Job> queue_;
  std::set<int64_t> in_flight_;  // declaration ids queued or running
  int running_ = 0;
  bool stopping_ = false;
  EngineCounters counters_;
  std::vector<std::thread> workers_;
  std::unique_ptr<GroupWriter> writer_;
  WorkflowObserver* observer_ = nullptr;
  // Scopes whose hold alert this process has closed (or found closed) since their last hold.
  std::set<HoldScope> alerts_closed_;
};

}  // namespace customsd
