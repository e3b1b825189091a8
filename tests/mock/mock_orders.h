// The fake WeChat Pay's declaration records, their state machine and per-order counters.
//
// A record is keyed like WeChat (and customsd): (mchid, out_trade_no, sub_order_no or "",
// customs). States move UNDECLARED (after a declare or re-push) or SUBMITTED (after a modify)
// -> PROCESSING -> a final state, one step per N-th query of the record and/or per period of
// time on the clock (MockOptions::advance_after_queries / advance_after).
//
// The final state follows markers in out_trade_no or sub_order_no:
//   "FAIL"       -> FAIL (explanation set)
//   "EXCEPTONCE" -> EXCEPT the first time it settles, SUCCESS after a re-push
//   "EXCEPT"     -> EXCEPT every time
//   "PARAMERR"   -> the declare is refused: 400 PARAM_ERROR, detail.field merchant_customs_no
//                   (also when merchant_customs_no holds it: then a modify can correct it)
//   "NOAUTH"     -> the declare is refused: 403 NOAUTH
//   otherwise SUCCESS, or a seeded draw (mix_fail / mix_except) each time it settles.
//
// Thread-safe: every public method takes the book's lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/declaration.h"
#include "tests/mock/mock_api_error.h"
#include "tests/mock/mock_validation.h"

namespace customsd::mock {

// "2015-09-01T10:00:00+08:00": RFC 3339 in Beijing time, as WeChat writes times.
std::string FormatWechatTime(TimePoint t);

enum class DeclState { kUndeclared, kSubmitted, kProcessing, kSuccess, kFail, kExcept };
std::string_view ToString(DeclState state);
inline bool IsFinal(DeclState s) {
  return s == DeclState::kSuccess || s == DeclState::kFail || s == DeclState::kExcept;
}

struct OrderRecord {
  DeclarationFields fields;
  std::string sub_order_id;  // WeChat's sub-order number; split orders only
  std::string verify_department = "UNIONPAY";
  std::string verify_department_trade_id;
  DeclState state = DeclState::kUndeclared;
  std::string explanation;  // set for FAIL and EXCEPT
  TimePoint modify_time;
  TimePoint step_started;       // when the current state was entered
  int64_t queries_in_step = 0;  // queries of the record since then
  int settled = 0;              // times it reached a final state
  uint64_t sequence = 0;        // creation order: query results come in this order
};

// What tests assert on, per order key (DeclarationKey::ToString()).
struct OrderCounters {
  int64_t declares_received = 0;  // every declare request naming this key (faulted ones too)
  int64_t declares_accepted = 0;  // declares that created the record
  int64_t declares_after_acceptance = 0;  // identical re-declares answered with the record
  int64_t conflicts = 0;                  // re-declares with different content (INVALID_REQUEST)
  int64_t queries = 0;                    // times the record was returned by a query
  int64_t modifies = 0;                   // modifications applied
  int64_t redeclares = 0;                 // re-pushes applied
  int64_t redeclares_refused = 0;         // re-pushes refused (state not SUCCESS/EXCEPT)
};

struct OrderSnapshot {
  OrderCounters counters;
  std::optional<OrderRecord> record;  // nullopt when no declare was accepted
};

struct OrderRules {
  uint64_t seed = 1;
  int advance_after_queries = 1;               // 0 = off
  std::chrono::milliseconds advance_after{0};  // 0 = off
  double mix_fail = 0;
  double mix_except = 0;
  bool bind_transaction_ids = true;  // see MockOptions
};

class OrderBook {
 public:
  explicit OrderBook(OrderRules rules) : rules_(rules) {}

  // The refusal a declare of `f` gets because of a PARAMERR / NOAUTH marker, if any.
  static std::optional<ApiError> MarkerRefusal(const DeclarationFields& f);

  // Counts a declare request for `key` (called before faults and validation).
  void NoteDeclareReceived(const DeclarationKey& key);

  // A validated declare: creates the record (UNDECLARED), or answers an identical re-declare
  // with the current record, or refuses different content with 400 INVALID_REQUEST (also when
  // the out_trade_no is already declared with another transaction_id, or split differently).
  ApiResult<OrderRecord> Declare(const DeclarationFields& f, TimePoint now);

  // The records a query matches, in creation order: the page [offset, offset+limit) and the
  // total count. Each record on the page counts a query and may advance a step first.
  struct QueryResult {
    std::vector<OrderRecord> page;
    int64_t total_count = 0;
    OrderRecord first;  // the first match (for the top-level fields); set when total_count > 0
  };
  QueryResult Query(const QueryRequest& q, TimePoint now);

  // Changes merchant_customs_no, duty and fees; the state becomes SUBMITTED. appid and
  // transaction_id must match the record (else INVALID_REQUEST); a split order's fees must
  // still add up. nullopt = not found (the handler answers in the configured style).
  std::optional<ApiResult<OrderRecord>> Modify(const ModifyRequest& m, TimePoint now);

  // Re-push: only from SUCCESS or EXCEPT (else 400 INVALID_REQUEST); back to UNDECLARED.
  // nullopt = not found.
  std::optional<ApiResult<OrderRecord>> Redeclare(const RedeclareRequest& r, TimePoint now);

  // Every key seen, with counters and (time-advanced) record.
  std::map<std::string, OrderSnapshot> Snapshot(TimePoint now);

 private:
  void CatchUp(OrderRecord* rec, TimePoint now);
  void Step(OrderRecord* rec, TimePoint at);
  void Settle(OrderRecord* rec);
  OrderCounters& CountersOf(const DeclarationKey& key);

  const OrderRules rules_;
  std::mutex mu_;
  uint64_t next_sequence_ = 0;
  std::map<DeclarationKey, OrderRecord> records_;
  std::map<std::string, OrderCounters> counters_;
  // Secondary indexes; the fields they use never change once a record exists.
  std::multimap<std::pair<std::string, std::string>, DeclarationKey> by_transaction_;
  std::multimap<std::pair<std::string, std::string>, DeclarationKey> by_sub_order_no_;
  std::map<std::string, DeclarationKey> by_sub_order_id_;
};

}  // namespace customsd::mock
