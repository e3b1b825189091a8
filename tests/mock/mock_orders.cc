#include "tests/mock/mock_orders.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "tests/mock/mock_faults.h"

namespace customsd::mock {
namespace {

bool Has(const DeclarationFields& f, std::string_view marker) {
  return f.out_trade_no.find(marker) != std::string::npos ||
         f.sub_order_no.find(marker) != std::string::npos;
}

// A stable string of decimal digits derived from the key: WeChat's own numbers look like this.
std::string Digits(std::string_view domain, std::string_view key, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    out.push_back(static_cast<char>('0' + static_cast<int>(SeededDraw(0, domain, key, i) * 10)));
  }
  if (out[0] == '0') out[0] = '4';
  return out;
}

// Explanations in WeChat's language, so a client's UTF-8 handling is exercised too.
constexpr char kFailExplanation[] = "订购人身份信息校验不通过 (mock: declaration failed)";
constexpr char kExceptExplanation[] = "海关接口异常 (mock: customs interface error, re-push)";

// A modify or re-push refused with 400 INVALID_REQUEST.
std::optional<ApiResult<OrderRecord>> Refuse(std::string message) {
  return ApiResult<OrderRecord>(InvalidRequest(std::move(message)));
}

}  // namespace

std::string FormatWechatTime(TimePoint t) {
  const std::time_t beijing = std::chrono::system_clock::to_time_t(t) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&beijing, &tm);
  char buf[96];  // room for any int the compiler can imagine in the fields
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string_view ToString(DeclState state) {
  switch (state) {
    case DeclState::kUndeclared:
      return "UNDECLARED";
    case DeclState::kSubmitted:
      return "SUBMITTED";
    case DeclState::kProcessing:
      return "PROCESSING";
    case DeclState::kSuccess:
      return "SUCCESS";
    case DeclState::kFail:
      return "FAIL";
    case DeclState::kExcept:
      return "EXCEPT";
  }
  return "UNDECLARED";
}

std::optional<ApiError> OrderBook::MarkerRefusal(const DeclarationFields& f) {
  // In merchant_customs_no the marker is a mistake the merchant can correct with a modify.
  if (Has(f, "PARAMERR") || f.merchant_customs_no.find("PARAMERR") != std::string::npos) {
    return ApiError{400, "PARAM_ERROR", "Invalid customs registration No. length",
                    ErrorDetail{"merchant_customs_no", f.merchant_customs_no,
                                "is not a customs registration No. known to customs", "body"}};
  }
  if (Has(f, "NOAUTH")) {
    return ApiError{403, "NOAUTH", "The merchant has not registered with the current customs",
                    std::nullopt};
  }
  return std::nullopt;
}

OrderCounters& OrderBook::CountersOf(const DeclarationKey& key) {
  return counters_[key.ToString()];
}

void OrderBook::NoteDeclareReceived(const DeclarationKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  ++CountersOf(key).declares_received;
}

ApiResult<OrderRecord> OrderBook::Declare(const DeclarationFields& f, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  const DeclarationKey key = KeyOf(f);
  OrderCounters& counters = CountersOf(key);
  if (auto it = records_.find(key); it != records_.end()) {
    CatchUp(&it->second, now);
    if (it->second.fields == f) {
      ++counters.declares_after_acceptance;
      return it->second;
    }
    ++counters.conflicts;
    return InvalidRequest(
        "The information re-entered for customs declaration is different from the original one: "
        "use the modification API to change it");
  }
  // The other declarations of the same order (other sub-orders, other customs) must agree on
  // the payment: WeChat checks the declaration against the payment order.
  for (auto it = records_.lower_bound({f.mchid, f.out_trade_no, "", ""});
       it != records_.end() && it->first.mchid == f.mchid &&
       it->first.out_trade_no == f.out_trade_no;
       ++it) {
    if (rules_.bind_transaction_ids && it->second.fields.transaction_id != f.transaction_id) {
      ++counters.conflicts;
      return InvalidRequest("Incorrect transaction order information: out_trade_no " +
                            f.out_trade_no + " was declared with another transaction_id");
    }
    if (it->first.customs == f.customs &&
        it->first.sub_order_no.empty() != f.sub_order_no.empty()) {
      ++counters.conflicts;
      return InvalidRequest("out_trade_no " + f.out_trade_no +
                            " is already declared at this customs as a " +
                            (f.sub_order_no.empty() ? "split" : "non-split") + " order");
    }
  }
  auto [first, last] = by_transaction_.equal_range({f.mchid, f.transaction_id});
  for (auto it = first; it != last && rules_.bind_transaction_ids; ++it) {
    if (it->second.out_trade_no != f.out_trade_no) {
      ++counters.conflicts;
      return InvalidRequest("Incorrect transaction order information: transaction_id " +
                            f.transaction_id + " belongs to another out_trade_no");
    }
  }

  OrderRecord rec;
  rec.fields = f;
  const std::string key_text = key.ToString();
  if (!f.sub_order_no.empty()) rec.sub_order_id = Digits("sub_order_id", key_text, 28);
  rec.verify_department_trade_id = Digits("verify_department_trade_id", key_text, 31);
  rec.state = DeclState::kUndeclared;
  rec.modify_time = now;
  rec.step_started = now;
  rec.sequence = next_sequence_++;
  by_transaction_.insert({{f.mchid, f.transaction_id}, key});
  if (!f.sub_order_no.empty()) {
    by_sub_order_no_.insert({{f.mchid, f.sub_order_no}, key});
    by_sub_order_id_.insert({rec.sub_order_id, key});
  }
  ++counters.declares_accepted;
  return records_.emplace(key, std::move(rec)).first->second;
}

OrderBook::QueryResult OrderBook::Query(const QueryRequest& q, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OrderRecord*> matches;
  auto add = [&](const DeclarationKey& key) {
    if (key.mchid != q.mchid || key.customs != q.customs) return;
    auto it = records_.find(key);
    if (it != records_.end()) matches.push_back(&it->second);
  };
  if (q.order_type == "out_trade_no") {
    for (auto it = records_.lower_bound({q.mchid, q.order_no, "", ""});
         it != records_.end() && it->first.mchid == q.mchid && it->first.out_trade_no == q.order_no;
         ++it) {
      add(it->first);
    }
  } else if (q.order_type == "transaction_id") {
    auto [first, last] = by_transaction_.equal_range({q.mchid, q.order_no});
    for (auto it = first; it != last; ++it) add(it->second);
  } else if (q.order_type == "sub_order_no") {
    auto [first, last] = by_sub_order_no_.equal_range({q.mchid, q.order_no});
    for (auto it = first; it != last; ++it) add(it->second);
  } else if (auto it = by_sub_order_id_.find(q.order_no); it != by_sub_order_id_.end()) {
    add(it->second);
  }
  std::sort(matches.begin(), matches.end(),
            [](const OrderRecord* a, const OrderRecord* b) { return a->sequence < b->sequence; });

  QueryResult result;
  result.total_count = static_cast<int64_t>(matches.size());
  if (!matches.empty()) {
    CatchUp(matches.front(), now);
    result.first = *matches.front();
  }
  for (int64_t i = q.offset; i < result.total_count && i < q.offset + q.limit; ++i) {
    OrderRecord* rec = matches[static_cast<size_t>(i)];
    CatchUp(rec, now);
    ++CountersOf(KeyOf(rec->fields)).queries;
    if (rules_.advance_after_queries > 0 &&
        ++rec->queries_in_step >= rules_.advance_after_queries) {
      Step(rec, now);
    }
    result.page.push_back(*rec);
  }
  return result;
}

std::optional<ApiResult<OrderRecord>> OrderBook::Modify(const ModifyRequest& m, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find({m.mchid, m.out_trade_no, m.sub_order_no, m.customs});
  if (it == records_.end()) return std::nullopt;
  OrderRecord& rec = it->second;
  CatchUp(&rec, now);
  if (m.appid != rec.fields.appid) return Refuse("appid does not match the declaration");
  if (m.transaction_id != rec.fields.transaction_id) {
    return Refuse(
        "Incorrect transaction order information: transaction_id does not "
        "match the declaration");
  }
  DeclarationFields next = rec.fields;
  next.merchant_customs_no = m.merchant_customs_no;
  if (m.duty) next.duty = m.duty;
  if (m.order_fee) next.order_fee = m.order_fee;
  if (m.transport_fee) next.transport_fee = m.transport_fee;
  if (m.product_fee) next.product_fee = m.product_fee;
  if (next.order_fee && next.transport_fee && next.product_fee) {
    if (auto e = CheckSplitFees(*next.order_fee, *next.transport_fee, *next.product_fee)) {
      return ApiResult<OrderRecord>(*e);
    }
  }
  rec.fields = std::move(next);
  ++CountersOf(it->first).modifies;
  rec.state = DeclState::kSubmitted;
  rec.explanation.clear();
  rec.modify_time = now;
  rec.step_started = now;
  rec.queries_in_step = 0;
  return ApiResult<OrderRecord>(rec);
}

std::optional<ApiResult<OrderRecord>> OrderBook::Redeclare(const RedeclareRequest& r,
                                                           TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::map<DeclarationKey, OrderRecord>::iterator> found;
  auto consider = [&](std::map<DeclarationKey, OrderRecord>::iterator it) {
    const OrderRecord& rec = it->second;
    if (it->first.mchid != r.mchid || it->first.customs != r.customs) return;
    if (!r.out_trade_no.empty() && rec.fields.out_trade_no != r.out_trade_no) return;
    if (!r.transaction_id.empty() && rec.fields.transaction_id != r.transaction_id) return;
    if (!r.sub_order_no.empty() && rec.fields.sub_order_no != r.sub_order_no) return;
    if (!r.sub_order_id.empty() && rec.sub_order_id != r.sub_order_id) return;
    found.push_back(it);
  };
  if (!r.out_trade_no.empty()) {
    for (auto it = records_.lower_bound({r.mchid, r.out_trade_no, "", ""});
         it != records_.end() && it->first.mchid == r.mchid &&
         it->first.out_trade_no == r.out_trade_no;
         ++it) {
      consider(it);
    }
  } else {
    auto [first, last] = by_transaction_.equal_range({r.mchid, r.transaction_id});
    for (auto it = first; it != last; ++it) consider(records_.find(it->second));
  }
  if (found.empty()) return std::nullopt;
  const bool split = !found.front()->second.fields.sub_order_no.empty();
  if (found.size() > 1 || (split && r.sub_order_no.empty() && r.sub_order_id.empty())) {
    return ApiResult<OrderRecord>(ParamError(
        "sub_order_no", "", "one of sub_order_no and sub_order_id is required for a split order"));
  }
  OrderRecord& rec = found.front()->second;
  OrderCounters& counters = CountersOf(found.front()->first);
  CatchUp(&rec, now);
  if (r.appid != rec.fields.appid) return Refuse("appid does not match the declaration");
  if (r.merchant_customs_no != rec.fields.merchant_customs_no) {
    return Refuse("merchant_customs_no does not match the declaration");
  }
  if (rec.state != DeclState::kSuccess && rec.state != DeclState::kExcept) {
    ++counters.redeclares_refused;
    return Refuse("Re-push is only allowed when the declaration is SUCCESS or EXCEPT; it is " +
                  std::string(ToString(rec.state)));
  }
  ++counters.redeclares;
  rec.state = DeclState::kUndeclared;
  rec.explanation.clear();
  rec.modify_time = now;
  rec.step_started = now;
  rec.queries_in_step = 0;
  return ApiResult<OrderRecord>(rec);
}

std::map<std::string, OrderSnapshot> OrderBook::Snapshot(TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, OrderSnapshot> out;
  for (const auto& [key, counters] : counters_) out[key].counters = counters;
  for (auto& [key, rec] : records_) {
    CatchUp(&rec, now);
    out[key.ToString()].record = rec;
  }
  return out;
}

void OrderBook::CatchUp(OrderRecord* rec, TimePoint now) {
  if (rules_.advance_after.count() <= 0) return;
  while (!IsFinal(rec->state) && now - rec->step_started >= rules_.advance_after) {
    Step(rec, rec->step_started + rules_.advance_after);
  }
}

void OrderBook::Step(OrderRecord* rec, TimePoint at) {
  if (IsFinal(rec->state)) return;
  if (rec->state == DeclState::kProcessing) {
    Settle(rec);
  } else {
    rec->state = DeclState::kProcessing;
  }
  rec->modify_time = at;
  rec->step_started = at;
  rec->queries_in_step = 0;
}

void OrderBook::Settle(OrderRecord* rec) {
  const DeclarationFields& f = rec->fields;
  DeclState final_state = DeclState::kSuccess;
  if (Has(f, "FAIL")) {
    final_state = DeclState::kFail;
  } else if (Has(f, "EXCEPTONCE")) {
    final_state = rec->settled == 0 ? DeclState::kExcept : DeclState::kSuccess;
  } else if (Has(f, "EXCEPT")) {
    final_state = DeclState::kExcept;
  } else if (rules_.mix_fail > 0 || rules_.mix_except > 0) {
    const double u = SeededDraw(rules_.seed, "mix", KeyOf(f).ToString(), rec->settled);
    if (u < rules_.mix_fail) {
      final_state = DeclState::kFail;
    } else if (u < rules_.mix_fail + rules_.mix_except) {
      final_state = DeclState::kExcept;
    }
  }
  rec->state = final_state;
  rec->explanation = final_state == DeclState::kFail     ? kFailExplanation
                     : final_state == DeclState::kExcept ? kExceptExplanation
                                                         : "";
  ++rec->settled;
}

}  // namespace customsd::mock
