#include "daemon/api/stats_json.h"

#include <map>
#include <string>

#include "common/time_format.h"

namespace customsd {

nlohmann::json StatsToJson(const StoreStats& stats, int64_t now_ms) {
  std::map<std::string, int64_t> by_state, by_phase;
  nlohmann::json by_state_phase = nlohmann::json::array();
  for (const StoreStats::Count& c : stats.counts) {
    by_state[std::string(ToString(c.state))] += c.declarations;
    by_phase[std::string(ToString(c.phase))] += c.declarations;
    by_state_phase.push_back(
        {{"state", ToString(c.state)}, {"phase", ToString(c.phase)}, {"count", c.declarations}});
  }
  nlohmann::json by_merchant_customs = nlohmann::json::array();
  for (const StoreStats::MerchantCount& c : stats.by_merchant_customs) {
    by_merchant_customs.push_back({{"mchid", c.mchid},
                                   {"customs", c.customs},
                                   {"state", ToString(c.state)},
                                   {"phase", ToString(c.phase)},
                                   {"count", c.declarations}});
  }
  nlohmann::json j;
  j["total"] = stats.total;
  j["by_state"] = by_state;
  j["by_phase"] = by_phase;
  j["by_state_phase"] = std::move(by_state_phase);
  j["by_merchant_customs"] = std::move(by_merchant_customs);
  const std::optional<int64_t>& oldest = stats.oldest_unfinished_created_at;
  j["oldest_unfinished_created_at"] =
      oldest ? nlohmann::json(FormatRfc3339(*oldest)) : nlohmann::json(nullptr);
  j["oldest_unfinished_age_seconds"] =
      oldest ? nlohmann::json((now_ms - *oldest) / 1000) : nlohmann::json(nullptr);
  j["alerts_pending"] = stats.alerts_pending;
  j["notifications_undelivered"] = stats.notifications_undelivered;
  j["notify_receivers_failing"] = stats.notify_receivers_failing;
  j["notify_receivers"] = nlohmann::json::array();
  for (const StoreStats::Receiver& r : stats.receivers) {
    j["notify_receivers"].push_back(
        {{"receiver", r.receiver}, {"undelivered", r.undelivered}, {"failures", r.failures}});
  }
  return j;
}

}  // namespace customsd
