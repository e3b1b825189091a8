// Metrics: the counters, gauges and histograms the daemon updates as it works, in one
// prometheus::Registry, exposed by MetricsServer at /metrics (Prometheus text format 0.0.4).
//
// Families (all names "customsd_", base units, counters end in "_total"):
//   customsd_build_info{version,commit}                            gauge, always 1
//   customsd_start_time_seconds                                    gauge, Unix time
//   customsd_api_requests_total{mchid,endpoint,outcome}            counter
//   customsd_api_request_duration_seconds{endpoint}                histogram
//   customsd_transitions_total{from_phase,to_phase}                counter
//   customsd_signature_verification_failures_total                 counter
//   customsd_last_successful_poll_timestamp_seconds                gauge, Unix time; 0 = none yet
//   customsd_alert_deliveries_total                                counter (this process)
//   customsd_holds{scope}                                          gauge: holds now, scope
//                                                                  "merchant" (SIGN_ERROR) or
//                                                                  "customs" (merchant, customs)
//   customsd_database_writable                                     gauge: 1, or 0 while the
//                                                                  database takes no writes
//
// Contract:
//  - Label values come only from closed lists: the endpoints below, OutcomeClass and Phase
//    spellings, hold scopes (not customs codes: WeChat adds customs, so they are open), and the
//    merchants of the config given at construction plus "other". Never an order number or
//    anything else per declaration. An endpoint or mchid outside its list is counted as
//    "other", so a caller's mistake cannot grow the series without bound. A merchant added by
//    SIGHUP's reload counts as "other" until the next restart (the series are made once).
//  - mchid is on the request counter only: the duration histogram (11 series per label set)
//    and the phase transitions stay per endpoint and phase pair, so the series count grows by
//    42 per merchant; customsd_declarations (DatabaseGauges) has no mchid either (see there).
//  - Every series of the closed lists exists from construction, at 0, so rate() and increase()
//    see the first event.
//  - Every method is thread-safe and cheap (series are found by index, not by label map; only
//    the histogram and OnPollSuccess take a short lock), so worker threads call them freely.
// The alert counts stored in the database (pending, delivered) come from DatabaseGauges.
#pragma once

#include "daemon/workflow/job_runner.h"
#include "wechatpay/api_caller.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/declaration_state.h"
#include "wechatpay/api_outcome.h"

namespace customsd {

// The endpoint label values OnRequest accepts; anything else becomes "other".
inline constexpr std::array<std::string_view, 7> kMetricsEndpoints = {
    "declare", "query", "modify", "redeclare", "verify_certificate", "certificates", "other"};

class Metrics final : public prometheus::Collectable,
                      public ApiObserver,
                      public WorkflowObserver {
 public:
  // `start_time` is exported as customsd_start_time_seconds (alert rules use it as "no poll
  // yet since the start"). `merchants`: the configured mchids, each with its own request
  // series (duplicates and "other" are ignored).
  explicit Metrics(TimePoint start_time, std::vector<std::string> merchants = {});
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One call to WeChat Pay for merchant `mchid` finished (whatever its outcome), after
  // `seconds`.
  void OnRequest(std::string_view mchid, std::string_view endpoint, OutcomeClass outcome,
                 std::chrono::duration<double> seconds) override;
  // A declaration moved from one phase to another (or stayed, when from == to).
  void OnTransition(Phase from, Phase to) override;
  // A WeChat Pay response (or notification) whose signature did not verify.
  void OnVerificationFailure() override;
  // A status query was answered; the gauge only ever moves forward.
  void OnPollSuccess(TimePoint when) override;
  // An alert reached its webhook or command.
  void OnAlertDelivered();
  // How many whole merchants and (merchant, customs) pairs are held now.
  void OnHoldsChanged(size_t merchants, size_t customs_pairs) override;
  void OnStorageChanged(bool writable) override;

  // Every family of the registry (prometheus::Collectable).
  std::vector<prometheus::MetricFamily> Collect() const override;
  prometheus::Registry& registry() { return registry_; }

 private:
  static constexpr size_t kOutcomes = 6;  // OutcomeClass values
  static constexpr size_t kPhases = 7;    // Phase values
  using RequestCounters =
      std::array<std::array<prometheus::Counter*, kOutcomes>, kMetricsEndpoints.size()>;

  // The index of `mchid` in merchants_, or merchants_.size() for "other". A linear scan: a
  // config holds a handful of merchants.
  size_t MerchantIndex(std::string_view mchid) const;

  prometheus::Registry registry_;
  std::vector<std::string> merchants_;      // fixed at construction
  std::vector<RequestCounters> requests_;  // merchants_ in order, then "other"
  std::array<prometheus::Histogram*, kMetricsEndpoints.size()> durations_{};
  std::array<std::array<prometheus::Counter*, kPhases>, kPhases> transitions_{};
  prometheus::Counter* verification_failures_ = nullptr;
  std::mutex last_poll_mu_;  // keeps the gauge from moving back when polls finish out of order
  prometheus::Gauge* last_poll_ = nullptr;
  prometheus::Counter* alert_deliveries_ = nullptr;
  prometheus::Gauge* held_merchants_ = nullptr;
  prometheus::Gauge* held_customs_ = nullptr;
  prometheus::Gauge* database_writable_ = nullptr;
};

// The Prometheus text format (0.0.4) of every family of `sources`, in order.
std::string RenderMetricsText(std::span<const prometheus::Collectable* const> sources);

// The content type of RenderMetricsText's output.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace customsd
