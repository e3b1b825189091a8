#include "daemon/workflow/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "storage/storage_probe.h"

namespace customsd {
namespace {

Job::Kind KindOf(const DeclarationRecord& r) {
  switch (r.phase) {
    case Phase::kPoll: return Job::Kind::kPoll;
    case Phase::kModify: return Job::Kind::kModify;
    case Phase::kRedeclare: return Job::Kind::kRedeclare;
    default: return Job::Kind::kSubmit;
  }
}

// Waits for a token of the shared bucket before each request.
class BucketGate final : public RequestGate {
 public:
  BucketGate(TokenBucket& bucket, const Clock& clock) : bucket_(bucket), clock_(clock) {}
  void BeforeRequest() override {
    std::chrono::milliseconds wait = bucket_.Reserve(UnixMillis(clock_.Now()));
    // Pacing, not synchronisation: the wait is the rate limit itself.
    if (wait.count() > 0) std::this_thread::sleep_for(wait);
  }

 private:
  TokenBucket& bucket_;
  const Clock& clock_;
};

uint64_t SeedFrom(uint64_t seed, const Clock& clock) {
  return seed != 0 ? seed : static_cast<uint64_t>(UnixMillis(clock.Now()));
}

}  // namespace

Engine::Engine(EngineOptions options, WorkflowSettings settings, Database& db,
               DatabaseFactory open_db, ClientLookup clients, const Clock& clock)
    : options_(options), settings_(std::move(settings)), db_(db), open_db_(std::move(open_db)),
      clients_(std::move(clients)), clock_(clock), store_(db, clock), cache_(db),
      holds_(options.hold_probe_interval),
      bucket_(options.requests_per_second, std::max(1.0, options.requests_per_second / 10)),
      storage_random_(SeedFrom(options.seed, clock) ^ 0x5bd1e995),
      storage_(clock, storage_random_) {}

bool Engine::StorageWritable() {
  if (storage_.writable()) return true;
  if (!storage_.ProbeDue()) return false;
  if (Status s = ProbeWrite(db_, UnixMillis(clock_.Now())); !s.ok()) {
    storage_.ProbeFailed(s);
    return false;
  }
  storage_.Recovered();
  return true;
}

void Engine::EndTrialIfIdle() {
  // Nothing at all left to try the database with: waiting for work would keep an idle daemon
  // unready for good. While anything is due later, its write is the trial.
  if (!storage_.on_trial()) return;
  auto next = store_.NextDueAt();
  if (next.ok() && !next->has_value()) storage_.Confirmed();
}

Engine::~Engine() {
  StopWorkers(std::chrono::milliseconds(0));
  JoinWorkers();
}

std::vector<Job> Engine::CollectDue(int max_jobs) {
  std::vector<Job> jobs;
  if (max_jobs <= 0) return jobs;
  const int64_t now = UnixMillis(clock_.Now());
  // Busy first, then the rows: a job that finishes in between is then either still counted
  // busy or read back in its new state, never dispatched again from a stale row.
  std::set<int64_t> skip;
  {
    std::lock_guard<std::mutex> lock(mu_);
    skip = in_flight_;
  }
  // Busy declarations stay due until their answer commits, and held ones until their hold
  // lifts: the query passes over both in its index, so they cannot fill its window.
  holds_.AddWaiting(now, &skip);
  // The slack lets later members of a poll group still join the job of the first.
  constexpr int kGroupSlack = 8;
  const int window = std::min(options_.batch_size, max_jobs + kGroupSlack);
  std::map<std::tuple<std::string, std::string, std::string, std::string>, size_t> poll_groups;
  std::set<HoldScope> probed;  // holds whose one probe of this pass has been decided
  // Held work seen for the first time still comes in the window; a window with some is read
  // again past it (each read skips what the reads before returned).
  constexpr int kMaxReads = 8;
  for (int read = 0; read < kMaxReads; ++read) {
    auto due = store_.Due(now, window, skip);
    if (!due.ok()) {
      // Unreadable is in trouble too; its one line is StorageHealth's.
      if (!storage_.Failed(due.status())) {
        spdlog::debug("cannot read due declarations: {}", due.status().message());
      }
      break;
    }
    bool held_any = false;
    for (DeclarationRecord& r : *due) {
      skip.insert(r.id);
      const std::string& mchid = r.fields.mchid;
      if (auto scope = holds_.Holding(mchid, r.fields.customs, r.phase != Phase::kPoll)) {
        // A hold gets one probe job when its probe is due, not a batch.
        if (static_cast<int>(jobs.size()) < max_jobs && probed.insert(*scope).second &&
            holds_.TakeProbe(*scope, now)) {
          Job job;
          job.kind = KindOf(r);
          job.probe = true;
          job.records.push_back(std::move(r));
          jobs.push_back(std::move(job));
        } else {
          holds_.Wait(*scope, r.id);
          held_any = true;
        }
        continue;
      }
      auto key = std::make_tuple(mchid, r.fields.appid, r.fields.out_trade_no, r.fields.customs);
      if (r.phase == Phase::kPoll) {
        auto it = poll_groups.find(key);
        if (it != poll_groups.end()) {
          jobs[it->second].records.push_back(std::move(r));
          continue;
        }
      }
      if (static_cast<int>(jobs.size()) >= max_jobs) continue;  // later group members may join
      if (r.phase == Phase::kPoll) poll_groups.emplace(key, jobs.size());
      Job job;
      job.kind = KindOf(r);
      job.records.push_back(std::move(r));
      jobs.push_back(std::move(job));
    }
    if (!held_any || static_cast<int>(due->size()) < window ||
        static_cast<int>(jobs.size()) >= max_jobs) {
      break;
    }
  }
  return jobs;
}

bool Engine::HeldBack(const Job& job) {
  // A hold may have begun after this job was collected.
  return !job.probe && holds_.Holding(job.mchid(), job.customs(), job.sends()).has_value();
}

void Engine::AfterJob(const Job& job, const JobReport& report, TransactionWriter& db) {
  const int64_t now = UnixMillis(clock_.Now());
  if (!report.storage_failure && report.recorded > 0) storage_.Confirmed();
  if (report.slow_down) bucket_.SlowDown(now);
  const HoldScope merchant{job.mchid(), ""};
  if (report.merchant_problem) {
    StartHold(merchant, *report.merchant_problem, db, now);
  } else if (report.merchant_answered) {
    EndHold(merchant, db);
  }
  // Only a send tells whether sends to this customs are refused: a query may well be answered
  // where a declare is not, and lifting the hold on it would only hold the customs again.
  if (job.sends() && !report.merchant_problem) {
    const HoldScope pair{job.mchid(), job.customs()};
    if (report.customs_problem) {
      StartHold(pair, *report.customs_problem, db, now);
    } else if (report.customs_answered) {
      EndHold(pair, db);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.jobs;
  counters_.requests += report.requests;
  counters_.conflicts += report.conflicts;
}

void Engine::StartHold(const HoldScope& scope, const ApiOutcome& o, TransactionWriter& db,
                       int64_t now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    alerts_closed_.erase(scope);
  }
  const std::string cause = CanonicalErrorCode(o.code.empty() ? "SIGN_ERROR" : o.code);
  if (!holds_.Hold(scope, cause, now)) return;
  spdlog::error("{}: held: {}", scope.ToString(), o.ToString());
  NotifyHolds();
  // After a restart in the middle of a hold, its alert is still open: this writes nothing.
  const NewAlert alert = HoldAlert(scope, o, options_.hold_probe_interval, now);
  Status s = RaiseAlert(db, alert);
  if (!s.ok()) spdlog::error("{}: cannot record alert: {}", scope.ToString(), s.message());
}

void Engine::EndHold(const HoldScope& scope, TransactionWriter& db) {
  const bool was_held = holds_.Release(scope);
  if (was_held) {
    spdlog::info("{}: WeChat Pay answers again; work resumed", scope.ToString());
    NotifyHolds();
  }
  {
    // Also once for a scope this process never held: the alert of a hold that lasted until the
    // last process stopped is still open, and must not swallow the next hold's alert.
    std::lock_guard<std::mutex> lock(mu_);
    if (!alerts_closed_.insert(scope).second && !was_held) return;
  }
  Status s = CloseOpenAlert(db, HoldAlertKey(scope));
  if (!s.ok()) spdlog::error("{}: cannot close its alert: {}", scope.ToString(), s.message());
}

void Engine::NotifyHolds() {
  // Under the lock, so the last notification carries the counts as they are now.
  std::lock_guard<std::mutex> lock(mu_);
  if (observer_ != nullptr) observer_->OnHoldsChanged(holds_.merchants(), holds_.customs_pairs());
}

int Engine::RunDueInline(RequestGate& gate) {
  StatementCache::Scope use(cache_);
  SeededRandom random(SeedFrom(options_.seed, clock_));
  Rules rules(settings_, random);
  JobRunner runner(db_, rules, clients_, gate, clock_);
  runner.set_observer(observer_);
  runner.set_storage(&storage_);
  if (!StorageWritable()) return 0;
  std::vector<Job> jobs = CollectDue(options_.batch_size);
  if (jobs.empty()) EndTrialIfIdle();
  int ran = 0;
  for (const Job& job : jobs) {
    if (HeldBack(job) || !storage_.writable()) continue;
    // On trial (storage_health.h), the first job decides whether the rest go.
    const bool trial = storage_.on_trial();
    AfterJob(job, runner.Run(job), db_);
    ++ran;
    if (trial && storage_.on_trial()) break;
  }
  return ran;
}

Status Engine::StartWorkers(std::function<void(bool)> on_done) {
  auto db = open_db_();
  if (!db.ok()) return db.status();
  writer_ = std::make_unique<GroupWriter>(std::move(db).value());
  for (int i = 0; i < options_.max_in_flight; ++i) {
    workers_.emplace_back([this, i, on_done] { WorkerLoop(i, on_done); });
  }
  return Status::Ok();
}

int Engine::DispatchThreshold() const {
  return std::max(1, std::min(4, options_.max_in_flight / 4));
}

void Engine::WorkerLoop(int index, std::function<void(bool)> on_done) {
  GroupWriter& db = *writer_;
  SeededRandom random(SeedFrom(options_.seed, clock_) + static_cast<uint64_t>(index) * 7919);
  Rules rules(settings_, random);
  BucketGate gate(bucket_, clock_);
  JobRunner runner(db, rules, clients_, gate, clock_);
  runner.set_observer(observer_);
  runner.set_storage(&storage_);
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    // A job queued before the database got into trouble waits for it to recover.
    if (!HeldBack(job) && storage_.writable()) AfterJob(job, runner.Run(job), db);
    bool dispatch_useful = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --running_;
      for (const DeclarationRecord& r : job.records) in_flight_.erase(r.id);
      if (stopping_ && running_ == 0) idle_cv_.notify_all();
      const int free_slots = options_.max_in_flight - running_ - static_cast<int>(queue_.size());
      dispatch_useful = free_slots >= DispatchThreshold() || running_ == 0;
    }
    if (on_done) on_done(dispatch_useful);
  }
}

std::chrono::milliseconds Engine::Dispatch() {
  StatementCache::Scope use(cache_);
  if (!StorageWritable()) {
    return std::clamp(storage_.UntilProbe(), std::chrono::milliseconds(1), options_.max_idle);
  }
  int free_slots;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return options_.max_idle;
    free_slots = options_.max_in_flight - running_ - static_cast<int>(queue_.size());
    // Reading the due work costs about the same for one job as for several: while jobs run
    // (each wakes this loop when it ends), wait for a few free slots.
    const int enough = DispatchThreshold();
    if (free_slots < enough && free_slots < options_.max_in_flight) return options_.max_idle;
    // On trial (storage_health.h): one job at a time until a write of one commits.
    if (storage_.on_trial()) {
      if (free_slots < options_.max_in_flight) return options_.max_idle;
      free_slots = 1;
    }
  }
  std::vector<Job> jobs = CollectDue(free_slots);
  if (jobs.empty()) EndTrialIfIdle();
  if (!jobs.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    for (Job& job : jobs) {
      for (const DeclarationRecord& r : job.records) in_flight_.insert(r.id);
      queue_.push_back(std::move(job));
    }
  }
  for (size_t i = 0; i < jobs.size(); ++i) work_cv_.notify_one();
  auto next = store_.NextDueAt();
  if (!next.ok() || !next->has_value()) return options_.max_idle;
  const int64_t wait = **next - UnixMillis(clock_.Now());
  // Work due now that was not dispatched is running, queued or held: a finishing job wakes the
  // loop (on_done), so sleeping here does not delay it, and not sleeping would spin.
  if (wait <= 0) return options_.max_idle;
  return std::chrono::milliseconds(std::min<int64_t>(wait, options_.max_idle.count()));
}

int Engine::StopWorkers(std::chrono::milliseconds bound) {
  std::unique_lock<std::mutex> lock(mu_);
  stopping_ = true;
  for (const Job& job : queue_) {
    for (const DeclarationRecord& r : job.records) in_flight_.erase(r.id);
  }
  queue_.clear();
  work_cv_.notify_all();
  idle_cv_.wait_for(lock, bound, [&] { return running_ == 0; });
  return running_;
}

void Engine::JoinWorkers() {
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
  if (writer_) writer_->Stop();
}

int Engine::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

EngineCounters Engine::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

}  // namespace customsd
