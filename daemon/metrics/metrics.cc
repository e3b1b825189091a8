#include "daemon/metrics/metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

#include "common/build_info.h"

namespace customsd {
namespace {

constexpr std::array<OutcomeClass, 6> kOutcomeClasses = {
    OutcomeClass::kOk,      OutcomeClass::kNotFound, OutcomeClass::kRetry,
    OutcomeClass::kUnknown, OutcomeClass::kRefused,  OutcomeClass::kAuthProblem};

constexpr const std::array<Phase, 7>& kPhaseValues = kAllPhases;

// The series are found by casting the enum to an index: the lists must follow the enums.
template <typename T, size_t N>
constexpr bool InEnumOrder(const std::array<T, N>& values) {
  for (size_t i = 0; i < N; ++i) {
    if (static_cast<size_t>(values[i]) != i) return false;
  }
  return true;
}
static_assert(InEnumOrder(kOutcomeClasses));
static_assert(InEnumOrder(kPhaseValues));

// From 50 ms to the 30 s default timeout and beyond: WeChat answers in tens to hundreds of
// milliseconds when well, and slow answers are what an operator wants to see.
const prometheus::Histogram::BucketBoundaries& DurationBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {0.05, 0.1, 0.25, 0.5, 1,
                                                                   2.5,  5,   10,   30,  60};
  return kBuckets;
}

constexpr std::string_view kOtherMerchant = "other";

size_t EndpointIndex(std::string_view endpoint) {
  for (size_t i = 0; i + 1 < kMetricsEndpoints.size(); ++i) {
    if (kMetricsEndpoints[i] == endpoint) return i;
  }
  return kMetricsEndpoints.size() - 1;  // "other"
}

double UnixSeconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

Metrics::Metrics(TimePoint start_time, std::vector<std::string> merchants) {
  for (std::string& m : merchants) {
    if (m != kOtherMerchant && MerchantIndex(m) == merchants_.size()) {
      merchants_.push_back(std::move(m));
    }
  }
  static_assert(kOutcomes == kOutcomeClasses.size() && kPhases == kPhaseValues.size());
  prometheus::BuildGauge()
      .Name("customsd_build_info")
      .Help("customsd build: version and git commit, value always 1")
      .Register(registry_)
      .Add({{"version", kVersion}, {"commit", kGitCommit}})
      .Set(1);
  prometheus::BuildGauge()
      .Name("customsd_start_time_seconds")
      .Help("When this customsd process started, in Unix seconds")
      .Register(registry_)
      .Add({})
      .Set(UnixSeconds(start_time));

  auto& requests = prometheus::BuildCounter()
                       .Name("customsd_api_requests_total")
                       .Help("Calls to the WeChat Pay API, by merchant, endpoint and outcome class")
                       .Register(registry_);
  auto& durations = prometheus::BuildHistogram()
                        .Name("customsd_api_request_duration_seconds")
                        .Help("How long calls to the WeChat Pay API took, by endpoint")
                        .Register(registry_);
  requests_.resize(merchants_.size() + 1);
  for (size_t m = 0; m < requests_.size(); ++m) {
    const std::string mchid(m < merchants_.size() ? merchants_[m] : kOtherMerchant);
    for (size_t e = 0; e < kMetricsEndpoints.size(); ++e) {
      for (size_t o = 0; o < kOutcomeClasses.size(); ++o) {
        requests_[m][e][o] = &requests.Add({{"mchid", mchid},
                                            {"endpoint", std::string(kMetricsEndpoints[e])},
                                            {"outcome", std::string(ToString(kOutcomeClasses[o]))}});
      }
    }
  }
  for (size_t e = 0; e < kMetricsEndpoints.size(); ++e) {
    durations_[e] =
        &durations.Add({{"endpoint", std::string(kMetricsEndpoints[e])}}, DurationBuckets());
  }

  auto& transitions = prometheus::BuildCounter()
                          .Name("customsd_transitions_total")
                          .Help("Declarations moving from one phase to another")
                          .Register(registry_);
  for (size_t f = 0; f < kPhaseValues.size(); ++f) {
    for (size_t t = 0; t < kPhaseValues.size(); ++t) {
      transitions_[f][t] = &transitions.Add({{"from_phase", std::string(ToString(kPhaseValues[f]))},
                                             {"to_phase", std::string(ToString(kPhaseValues[t]))}});
    }
  }

  verification_failures_ = &prometheus::BuildCounter()
                                .Name("customsd_signature_verification_failures_total")
                                .Help("WeChat Pay responses whose signature did not verify")
                                .Register(registry_)
                                .Add({});
  last_poll_ = &prometheus::BuildGauge()
                    .Name("customsd_last_successful_poll_timestamp_seconds")
                    .Help("When a status query last got an answer, in Unix seconds; 0 = not yet")
                    .Register(registry_)
                    .Add({});
  alert_deliveries_ = &prometheus::BuildCounter()
                           .Name("customsd_alert_deliveries_total")
                           .Help("Alerts this process delivered to the webhook or command")
                           .Register(registry_)
                           .Add({});
  auto& holds = prometheus::BuildGauge()
                    .Name("customsd_holds")
                    .Help("Work held for the merchant's setup: whole merchants (scope merchant: "
                          "SIGN_ERROR) and (merchant, customs) pairs (scope customs: NOAUTH, "
                          "customs not configured)")
                    .Register(registry_);
  held_merchants_ = &holds.Add({{"scope", "merchant"}});
  held_customs_ = &holds.Add({{"scope", "customs"}});
  database_writable_ = &prometheus::BuildGauge()
                            .Name("customsd_database_writable")
                            .Help("1 while the database takes writes; 0 while it is full, "
                                  "read-only or failing (no request goes to WeChat Pay then)")
                            .Register(registry_)
                            .Add({});
  database_writable_->Set(1);
}

size_t Metrics::MerchantIndex(std::string_view mchid) const {
  for (size_t i = 0; i < merchants_.size(); ++i) {
    if (merchants_[i] == mchid) return i;
  }
  return merchants_.size();
}

void Metrics::OnRequest(std::string_view mchid, std::string_view endpoint, OutcomeClass outcome,
                        std::chrono::duration<double> seconds) {
  const size_t e = EndpointIndex(endpoint);
  const auto o = static_cast<size_t>(outcome);
  if (o < kOutcomes) requests_[MerchantIndex(mchid)][e][o]->Increment();
  const double value = seconds.count();
  durations_[e]->Observe(value >= 0 ? value : 0);  // negative or NaN: a clock step, not data
}

void Metrics::OnTransition(Phase from, Phase to) {
  const auto f = static_cast<size_t>(from);
  const auto t = static_cast<size_t>(to);
  if (f < kPhases && t < kPhases) transitions_[f][t]->Increment();
}

void Metrics::OnVerificationFailure() { verification_failures_->Increment(); }

void Metrics::OnPollSuccess(TimePoint when) {
  const double seconds = UnixSeconds(when);
  std::lock_guard<std::mutex> lock(last_poll_mu_);
  if (seconds > last_poll_->Value()) last_poll_->Set(seconds);
}

void Metrics::OnAlertDelivered() { alert_deliveries_->Increment(); }

void Metrics::OnStorageChanged(bool writable) { database_writable_->Set(writable ? 1 : 0); }

void Metrics::OnHoldsChanged(size_t merchants, size_t customs_pairs) {
  held_merchants_->Set(static_cast<double>(merchants));
  held_customs_->Set(static_cast<double>(customs_pairs));
}

std::vector<prometheus::MetricFamily> Metrics::Collect() const { return registry_.Collect(); }

std::string RenderMetricsText(std::span<const prometheus::Collectable* const> sources) {
  std::vector<prometheus::MetricFamily> families;
  for (const prometheus::Collectable* source : sources) {
    if (source == nullptr) continue;
    std::vector<prometheus::MetricFamily> more = source->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace customsd
