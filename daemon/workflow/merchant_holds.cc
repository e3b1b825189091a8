#include "daemon/workflow/merchant_holds.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "daemon/config/duration.h"

namespace customsd {
namespace {

// What the merchant must do at `customs`, after WeChat's own words (the seed pages' table).
std::string SetupStep(const ApiOutcome& o, const std::string& customs) {
  std::string m = o.message;
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
  if (m.find("self-clearance") != std::string::npos) {
    return "enable Self-Clearance for the merchant (WeChat Pay Merchant Platform > Product Center "
           "> Apply for Self-Clearance)";
  }
  if (m.find("not configured") != std::string::npos) {
    return "configure the merchant's customs information for " + customs;
  }
  return "register the merchant with " + customs;
}

std::string Refusal(const ApiOutcome& o) {
  std::string s = o.http_status != 0 ? "HTTP " + std::to_string(o.http_status) : "";
  if (!o.code.empty()) s += (s.empty() ? "" : " ") + o.code;
  if (!o.message.empty()) s += (s.empty() ? "" : " ") + o.message;
  if (!o.request_id.empty()) s += ", Request-ID " + o.request_id;
  return s;
}

}  // namespace

std::string HoldScope::ToString() const {
  return "merchant " + mchid + (whole_merchant() ? "" : " at customs " + customs);
}

bool MerchantHolds::Hold(const HoldScope& scope, const std::string& cause, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = held_.try_emplace(scope);
  it->second.cause = cause;
  it->second.next_probe_ms = now_ms + probe_interval_.count();
  return inserted;
}

bool MerchantHolds::Release(const HoldScope& scope) {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.erase(scope) > 0;
}

std::optional<HoldScope> MerchantHolds::Holding(const std::string& mchid,
                                                const std::string& customs, bool send) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (held_.empty()) return std::nullopt;  // the common case, without building keys
  HoldScope merchant{mchid, ""};
  if (held_.count(merchant) > 0) return merchant;
  HoldScope pair{mchid, customs};
  if (send && held_.count(pair) > 0) return pair;
  return std::nullopt;
}

bool MerchantHolds::TakeProbe(const HoldScope& scope, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(scope);
  if (it == held_.end() || now_ms < it->second.next_probe_ms) return false;
  it->second.next_probe_ms = now_ms + probe_interval_.count();
  return true;
}

void MerchantHolds::Wait(const HoldScope& scope, int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(scope);
  if (it != held_.end()) it->second.waiting.insert(id);
}

void MerchantHolds::AddWaiting(int64_t now_ms, std::set<int64_t>* ids) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [scope, state] : held_) {
    // A due probe must find its declaration among the due work.
    if (now_ms >= state.next_probe_ms) continue;
    ids->insert(state.waiting.begin(), state.waiting.end());
  }
}

std::optional<std::string> MerchantHolds::Cause(const std::string& mchid) const {
  return Cause(mchid, "");
}

std::optional<std::string> MerchantHolds::Cause(const std::string& mchid,
                                                const std::string& customs) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(HoldScope{mchid, customs});
  if (it == held_.end()) return std::nullopt;
  return it->second.cause;
}

size_t MerchantHolds::merchants() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [scope, state] : held_) n += scope.whole_merchant() ? 1 : 0;
  return n;
}

size_t MerchantHolds::customs_pairs() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [scope, state] : held_) n += scope.whole_merchant() ? 0 : 1;
  return n;
}

std::vector<std::pair<HoldScope, std::string>> MerchantHolds::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<HoldScope, std::string>> out;
  for (const auto& [scope, state] : held_) out.emplace_back(scope, state.cause);
  return out;
}

size_t MerchantHolds::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.size();
}

NewAlert HoldAlert(const HoldScope& scope, const ApiOutcome& o,
                   std::chrono::milliseconds probe_interval, int64_t now_ms) {
  const std::string every = FormatDuration(probe_interval);
  const std::string canonical = CanonicalErrorCode(o.code);
  NewAlert a;
  a.mchid = scope.mchid;
  a.dedupe_key = HoldAlertKey(scope);
  a.created_at = now_ms;
  std::string why;
  std::string next_step;
  if (scope.whole_merchant()) {
    a.cause = "merchant_held";
    why = "WeChat Pay refuses every request (" + Refusal(o) + ")";
    a.summary = scope.ToString() + ": " + why + "; all its declarations wait; one request is " +
                "tried every " + every + ". Next: check the merchant key, serial_no and the " +
                "clock; work resumes by itself once WeChat Pay answers";
  } else {
    a.cause = "customs_held";
    why = canonical == "NO_AUTH" ? "not registered with this customs"
                                 : "its setup for this customs is refused";
    why += " (" + Refusal(o) + ")";
    a.summary = scope.ToString() + ": " + why + "; new declarations to " + scope.customs +
                " wait (one is tried every " + every + "); polling and other customs go on. " +
                "Next: " + SetupStep(o, scope.customs) + "; the waiting declarations then go " +
                "out by themselves, and 'customsd retry' restarts any that needed attention " +
                "meanwhile";
  }
  a.details = nlohmann::json{{"mchid", scope.mchid},
                             {"customs", scope.customs},
                             {"scope", scope.whole_merchant() ? "merchant" : "customs"},
                             {"http_status", o.http_status},
                             {"code", o.code},
                             {"message", o.message},
                             {"request_id", o.request_id},
                             {"why", why}}
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return a;
}

// One open key per scope: the cause is in the text, and a hold whose cause changes is still
// the same hold.
std::string HoldAlertKey(const HoldScope& scope) {
  return "hold:" + scope.mchid + ":" + (scope.whole_merchant() ? "*" : scope.customs);
}

}  // namespace customsd
