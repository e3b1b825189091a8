// MerchantHolds: work paused because WeChat Pay refused the merchant's setup rather than a
// declaration. A hold has one of two scopes:
//  - a whole merchant (401 SIGN_ERROR: its key, serial_no or our clock is wrong, so every
//    request fails): every step of its declarations waits;
//  - one (merchant, customs) pair (NOAUTH: not registered with that customs; customs
//    information not configured; Self-Clearance not enabled): only sends to that customs
//    (submit, modify, re-push) wait. Declarations that customs already accepted go on being
//    polled, and other customs are not concerned.
// Held declarations are left as they are. Once per probe interval one job of a hold goes
// through as its probe; the caller lifts the hold when an answer shows the refusal is over.
// The declarations passed over for a hold are remembered (Wait), so that the due-work query
// skips them in its index instead of filling its window with work that cannot go.
//
// Each hold raises one alert (HoldAlert) for as long as it lasts, across restarts: its
// dedupe_key names the scope, not the time, and lifting the hold closes it (CloseOpenAlert)
// so that the next hold alerts again.
//
// Thread safety: MerchantHolds' methods may be called from any thread.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "storage/alert_store.h"
#include "wechatpay/api_outcome.h"

namespace customsd {

struct HoldScope {
  std::string mchid;
  std::string customs;  // "" = the whole merchant

  bool whole_merchant() const { return customs.empty(); }
  // "merchant 1230000109" or "merchant 1230000109 at customs SHANGHAI_ZS"
  std::string ToString() const;
  auto operator<=>(const HoldScope&) const = default;
};

class MerchantHolds {
 public:
  explicit MerchantHolds(std::chrono::milliseconds probe_interval)
      : probe_interval_(probe_interval) {}

  // Holds `scope` (its first probe one interval from now). Returns true when it was not held
  // before: a new hold, which the caller alerts about.
  bool Hold(const HoldScope& scope, const std::string& cause, int64_t now_ms);
  // Returns true when `scope` was held.
  bool Release(const HoldScope& scope);

  // The hold that stops a step of a declaration of `mchid` at `customs`, if any: the
  // merchant's, else, for a send (`send`: submit, modify or re-push), the pair's.
  std::optional<HoldScope> Holding(const std::string& mchid, const std::string& customs,
                                   bool send) const;
  // Is the probe of `scope` due at now_ms? If so, it is taken: the next one is due one
  // interval later.
  bool TakeProbe(const HoldScope& scope, int64_t now_ms);
  // Declaration `id` was passed over for `scope`'s hold; forgotten when the hold lifts.
  void Wait(const HoldScope& scope, int64_t id);
  // Adds to `ids` the declarations waiting for holds whose probe is not due at now_ms.
  void AddWaiting(int64_t now_ms, std::set<int64_t>* ids) const;

  // The cause of a whole-merchant hold, or of the (mchid, customs) hold.
  std::optional<std::string> Cause(const std::string& mchid) const;
  std::optional<std::string> Cause(const std::string& mchid, const std::string& customs) const;
  size_t merchants() const;      // whole merchants held
  size_t customs_pairs() const;  // (merchant, customs) pairs held
  size_t size() const;           // every hold: merchants() + customs_pairs()
  // Every hold and its cause, by scope: what the console's overview lists.
  std::vector<std::pair<HoldScope, std::string>> List() const;

 private:
  struct HoldState {
    std::string cause;
    int64_t next_probe_ms = 0;
    std::set<int64_t> waiting;
  };
  const std::chrono::milliseconds probe_interval_;
  mutable std::mutex mu_;
  std::map<HoldScope, HoldState> held_;
};

// The alert a new hold raises: what is held, WeChat's code and message, what still goes on and
// what to do. `outcome` is the refusal; `probe_interval` how often the hold is tried.
NewAlert HoldAlert(const HoldScope& scope, const ApiOutcome& outcome,
                   std::chrono::milliseconds probe_interval, int64_t now_ms);
// The dedupe_key of `scope`'s open hold alert: lifting the hold closes it (CloseOpenAlert), so a
// later hold alerts again.
std::string HoldAlertKey(const HoldScope& scope);

}  // namespace customsd
