// JobRunner: performs one Job against WeChat Pay and records the outcome.
//
// Durability: a declare, modification or re-push goes out by the send protocol
// (send_protocol.h, its contract). A lost poll answer is polled again.
//
// Thread safety: one JobRunner per thread (it owns no state; its writes go through the
// caller's TransactionWriter: a Database used by this thread only, or a shared GroupWriter).
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "common/clock.h"
#include "daemon/workflow/job.h"
#include "daemon/workflow/rules.h"
#include "daemon/workflow/send_protocol.h"
#include "daemon/workflow/storage_health.h"
#include "storage/database.h"
#include "wechatpay/customs_client.h"

namespace customsd {

// Called before every request to WeChat: rate limiting lives behind it.
class RequestGate {
 public:
  virtual ~RequestGate() = default;
  virtual void BeforeRequest() = 0;
};

class OpenGate final : public RequestGate {
 public:
  void BeforeRequest() override {}
};

// The merchant's client, or nullptr for a merchant not in the config. Shared, because a reload
// may replace the merchant while a job runs: the job holds the old client (and what it uses)
// until its last request is done.
using ClientLookup = std::function<std::shared_ptr<CustomsClient>(const std::string& mchid)>;

// What the runner reports as it works (metrics); implementations must be thread-safe.
class WorkflowObserver {
 public:
  virtual ~WorkflowObserver() = default;
  virtual void OnTransition(Phase from, Phase to) = 0;
  virtual void OnPollSuccess(TimePoint when) = 0;
  // The engine's holds changed: how many whole merchants and (merchant, customs) pairs are
  // held now.
  virtual void OnHoldsChanged(size_t /*merchants*/, size_t /*customs_pairs*/) {}
  // The database became unwritable, or writable again (StorageHealth).
  virtual void OnStorageChanged(bool /*writable*/) {}
};

struct JobReport {
  // The whole merchant should be held for this (SIGN_ERROR: every request fails).
  std::optional<ApiOutcome> merchant_problem;
  // The merchant at the job's customs should be held for this (NOAUTH, customs not configured,
  // Self-Clearance off).
  std::optional<ApiOutcome> customs_problem;
  bool merchant_answered = false;  // WeChat answered without refusing the merchant's key
  // WeChat answered past the merchant's setup at the job's customs (took the request, found or
  // did not find the record, or refused the declaration itself).
  bool customs_answered = false;
  bool slow_down = false;                      // a 429 came back
  // A write failed for a reason of the database itself (StorageHealth): the job stopped there.
  bool storage_failure = false;
  int recorded = 0;  // transitions committed
  int requests = 0;
  int conflicts = 0;  // updates that lost a race with another writer (e.g. an operator)
};

class JobRunner {
 public:
  JobRunner(TransactionWriter& db, const Rules& rules, ClientLookup clients, RequestGate& gate,
            const Clock& clock)
      : db_(db), rules_(rules), clients_(std::move(clients)), gate_(gate), clock_(clock) {}

  JobReport Run(const Job& job);

  // Set once before use; nullptr = nobody listens.
  void set_observer(WorkflowObserver* observer) { observer_ = observer; }
  // Where a failed write of the database's own making is reported; set once before use.
  void set_storage(StorageHealth* storage) { storage_ = storage; }

 private:
  // True (and the declaration sent to attention) when its content is not what WeChat accepted.
  bool NotSendable(const DeclarationRecord& r, JobReport& report);
  void Submit(const DeclarationRecord& r, CustomsClient& client, JobReport& report);
  void Poll(const std::vector<DeclarationRecord>& group, CustomsClient& client, JobReport& report);
  void Redeclare(const DeclarationRecord& r, CustomsClient& client, JobReport& report);
  void Modify(const DeclarationRecord& r, CustomsClient& client, JobReport& report);

  // Queries for r's order; returns r's item when WeChat lists it. When the order's answer does
  // not list r, asks for r on its own (LookupOwn) before concluding anything. nullopt with
  // outcome kNotFound: WeChat does not have r; any other outcome: it is not known.
  std::optional<QueryRecord> Lookup(const DeclarationRecord& r, CustomsClient& client,
                                    JobReport& report, ApiResult<QueryResult>* result);
  // Queries for r alone (order_type sub_order_no for a split order, else transaction_id).
  std::optional<QueryRecord> LookupOwn(const DeclarationRecord& r, CustomsClient& client,
                                       JobReport& report, ApiResult<QueryResult>* result);
  // The send protocol (send_protocol.h) for r with `steps`: in send_protocol.cc.
  void Send(const DeclarationRecord& r, CustomsClient& client, JobReport& report,
            const SendSteps& steps);
  // Its step 2: commits the attempt before a send; returns the record as it now stands.
  std::optional<DeclarationRecord> BeginSend(const DeclarationRecord& r, const std::string& kind,
                                             JobReport& report);
  // Applies a decision as one guarded transaction; `synced`: on disk before it returns.
  bool Apply(const DeclarationRecord& r, const Decision& d, JobReport& report,
             bool synced = false);
  // Common handling of a failed answer. `doubt`: afterwards, a send of this declaration may
  // have been applied without our knowing (so the next step must query first).
  void Failed(const DeclarationRecord& r, const ApiOutcome& o, bool doubt, JobReport& report);
  // A poll's query failed (check_first is kept as it is).
  void PollFailed(const DeclarationRecord& r, const ApiOutcome& o, JobReport& report);
  void Note(JobReport& report, const ApiOutcome& o);
  int64_t Now() const { return UnixMillis(clock_.Now()); }

  TransactionWriter& db_;
  const Rules& rules_;
  ClientLookup clients_;
  RequestGate& gate_;
  const Clock& clock_;
  WorkflowObserver* observer_ = nullptr;
  StorageHealth* storage_ = nullptr;
};

}  // namespace customsd
