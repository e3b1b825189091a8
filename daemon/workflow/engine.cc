#include "daemon/workflow/engine.h"

#include <spdlog/spdlog.h>

#include <map>
#include <tuple>

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
      clients_(std::move(clients)), clock_(clock), store_(db, clock), cache_(db.sqlite()),
      holds_(options.hold_probe_interval),
      bucket_(options.requests_per_second, std::max(1.0, options.requests_per_second / 10)) {}

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
  std::set<int64_t> busy;
  {
    std::lock_guard<std::mutex> lock(mu_);
    busy = in_flight_;
  }
  // Busy declarations stay due until their answer commits; the query passes over them. The
  // slack lets later members of a poll group still join the job of the first.
  constexpr int kGroupSlack = 8;
  auto due = store_.Due(now, std::min(options_.batch_size, max_jobs + kGroupSlack), busy);
  if (!due.ok()) {
    spdlog::error("cannot read due declarations: {}", due.status().message());
    return jobs;
  }
  std::map<std::tuple<std::string, std::string, std::string, std::string>, size_t> poll_groups;
  std::map<std::string, bool> merchant_allowed;
  for (DeclarationRecord& r : *due) {
    const std::string& mchid = r.fields.mchid;
    auto allowed = merchant_allowed.find(mchid);
    if (allowed == merchant_allowed.end()) {
      allowed = merchant_allowed.emplace(mchid, holds_.MayProceed(mchid, now)).first;
    } else if (allowed->second && holds_.Cause(mchid)) {
      allowed->second = false;  // a held merchant gets one probe job, not a batch
      continue;
    }
    if (!allowed->second) continue;
    auto key = std::make_tuple(mchid, r.fields.appid, r.fields.out_trade_no, r.fields.customs);
    if (r.phase == Phase::kPoll) {
      auto it = poll_groups.find(key);
      if (it != poll_groups.end()) {
        jobs[it->second].records.push_back(std::move(r));
        continue;
      }
    }
    if (static_cast<int>(jobs.size()) >= max_jobs) continue;  // later group members may still join
    if (r.phase == Phase::kPoll) poll_groups.emplace(key, jobs.size());
    Job job;
    job.kind = KindOf(r);
    job.probe = holds_.Cause(mchid).has_value();
    job.records.push_back(std::move(r));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

bool Engine::HeldBack(const Job& job) {
  // The merchant may have been held after this job was collected.
  return !job.probe && holds_.Cause(job.mchid()).has_value();
}

void Engine::AfterJob(const Job& job, const JobReport& report, TransactionWriter& db) {
  const int64_t now = UnixMillis(clock_.Now());
  const std::string& mchid = job.mchid();
  if (report.slow_down) bucket_.SlowDown(now);
  if (report.merchant_problem) {
    const ApiOutcome& o = *report.merchant_problem;
    const std::string cause = CanonicalErrorCode(o.code.empty() ? "SIGN_ERROR" : o.code);
    if (holds_.Hold(mchid, cause, now)) {
      spdlog::error("merchant {}: held: {}", mchid, o.ToString());
      NewAlert a;
      a.mchid = mchid;
      a.cause = "merchant_held";
      a.dedupe_key = "merchant:" + mchid + ":" + cause + ":" + std::to_string(now);
      a.summary = "merchant " + mchid + ": WeChat Pay refuses every request (" + o.code + " " +
                  o.message + "). Work is paused and retried every " +
                  std::to_string(options_.hold_probe_interval.count() / 1000) +
                  " s. Next: check the merchant key, serial_no, clock and customs registration";
      a.details = "{}";
      a.created_at = now;
      Status s = db.Write([&](SQLite::Database& sql) {
        InsertAlertIn(sql, a);
        return Status::Ok();
      });
      if (!s.ok()) spdlog::error("merchant {}: cannot record alert: {}", mchid, s.message());
    }
  } else if (report.merchant_answered && holds_.Release(mchid)) {
    spdlog::info("merchant {}: WeChat Pay answers again; work resumed", mchid);
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.jobs;
  counters_.requests += report.requests;
  counters_.conflicts += report.conflicts;
}

int Engine::RunDueInline(RequestGate& gate) {
  StatementCache::Scope use(cache_);
  SeededRandom random(SeedFrom(options_.seed, clock_));
  Rules rules(settings_, random);
  JobRunner runner(db_, rules, clients_, gate, clock_);
  runner.set_observer(observer_);
  std::vector<Job> jobs = CollectDue(options_.batch_size);
  int ran = 0;
  for (const Job& job : jobs) {
    if (HeldBack(job)) continue;
    AfterJob(job, runner.Run(job), db_);
    ++ran;
  }
  return ran;
}

Status Engine::StartWorkers(std::function<void()> on_done) {
  auto db = open_db_();
  if (!db.ok()) return db.status();
  writer_ = std::make_unique<GroupWriter>(std::move(db).value());
  for (int i = 0; i < options_.max_in_flight; ++i) {
    workers_.emplace_back([this, i, on_done] { WorkerLoop(i, on_done); });
  }
  return Status::Ok();
}

void Engine::WorkerLoop(int index, std::function<void()> on_done) {
  GroupWriter& db = *writer_;
  SeededRandom random(SeedFrom(options_.seed, clock_) + static_cast<uint64_t>(index) * 7919);
  Rules rules(settings_, random);
  BucketGate gate(bucket_, clock_);
  JobRunner runner(db, rules, clients_, gate, clock_);
  runner.set_observer(observer_);
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    if (!HeldBack(job)) AfterJob(job, runner.Run(job), db);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --running_;
      for (const DeclarationRecord& r : job.records) in_flight_.erase(r.id);
    }
    cv_.notify_all();
    if (on_done) on_done();
  }
}

std::chrono::milliseconds Engine::Dispatch() {
  StatementCache::Scope use(cache_);
  int free_slots;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return options_.max_idle;
    free_slots = options_.max_in_flight - running_ - static_cast<int>(queue_.size());
    // Reading the due work costs about the same for one job as for several: while jobs run
    // (each wakes this loop when it ends), wait for a few free slots.
    const int enough = std::max(1, std::min(4, options_.max_in_flight / 4));
    if (free_slots < enough && free_slots < options_.max_in_flight) return options_.max_idle;
  }
  std::vector<Job> jobs = CollectDue(free_slots);
  if (!jobs.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    for (Job& job : jobs) {
      for (const DeclarationRecord& r : job.records) in_flight_.insert(r.id);
      queue_.push_back(std::move(job));
    }
  }
  cv_.notify_all();
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
  cv_.notify_all();
  cv_.wait_for(lock, bound, [&] { return running_ == 0; });
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
