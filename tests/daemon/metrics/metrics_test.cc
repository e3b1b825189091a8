// Metrics: the in-process counters, gauges and histograms.
#include "daemon/metrics/metrics.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/build_info.h"
#include "tests/daemon/metrics/family_lookup.h"
#include "tests/support/test_config.h"

namespace customsd {
namespace {

using prometheus::ClientMetric;
using testing::CounterValue;
using testing::FindFamily;
using testing::FindSeries;
using testing::GaugeValue;
using testing::Labels;

const TimePoint kStart = testing::TestEpoch();

constexpr const char* kMchA = "1230000109";
constexpr const char* kMchB = "1900000001";

Labels Request(const std::string& mchid, const std::string& endpoint,
               const std::string& outcome) {
  return {{"mchid", mchid}, {"endpoint", endpoint}, {"outcome", outcome}};
}

TEST(MetricsTest, EverySeriesOfTheClosedListsExistsAtZeroFromTheStart) {
  // A duplicate and a literal "other" do not make series of their own.
  Metrics metrics(kStart, {kMchA, kMchB, kMchA, "other"});
  auto f = metrics.Collect();
  EXPECT_EQ(FindFamily(f, "customsd_api_requests_total")->metric.size(), 3u * 7u * 6u);
  EXPECT_EQ(FindFamily(f, "customsd_transitions_total")->metric.size(), 7u * 7u);
  EXPECT_EQ(FindFamily(f, "customsd_api_request_duration_seconds")->metric.size(), 7u);
  for (const char* mchid : {kMchA, kMchB, "other"}) {
    EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request(mchid, "declare", "ok")), 0);
  }
  EXPECT_EQ(CounterValue(f, "customsd_transitions_total",
                         {{"from_phase", "attention"}, {"to_phase", "cancelled"}}),
            0);
  EXPECT_EQ(CounterValue(f, "customsd_signature_verification_failures_total"), 0);
  EXPECT_EQ(GaugeValue(f, "customsd_last_successful_poll_timestamp_seconds"), 0);
  EXPECT_EQ(GaugeValue(f, "customsd_start_time_seconds"), 1795305600);
  EXPECT_EQ(GaugeValue(f, "customsd_holds", {{"scope", "merchant"}}), 0);
  EXPECT_EQ(GaugeValue(f, "customsd_holds", {{"scope", "customs"}}), 0);
  EXPECT_EQ(GaugeValue(f, "customsd_build_info", {{"version", kVersion}, {"commit", kGitCommit}}),
            1);
}

TEST(MetricsTest, WithoutMerchantsEveryRequestCountsAsOther) {
  Metrics metrics(kStart);
  metrics.OnRequest(kMchA, "query", OutcomeClass::kOk, std::chrono::milliseconds(10));
  auto f = metrics.Collect();
  EXPECT_EQ(FindFamily(f, "customsd_api_requests_total")->metric.size(), 7u * 6u);
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request("other", "query", "ok")), 1);
}

TEST(MetricsTest, CountersMoveWithTheCalls) {
  Metrics metrics(kStart, {kMchA, kMchB});
  metrics.OnRequest(kMchA, "declare", OutcomeClass::kOk, std::chrono::milliseconds(200));
  metrics.OnRequest(kMchB, "declare", OutcomeClass::kOk, std::chrono::milliseconds(200));
  metrics.OnRequest(kMchA, "query", OutcomeClass::kRetry, std::chrono::seconds(3));
  metrics.OnRequest(kMchB, "certificates", OutcomeClass::kAuthProblem,
                    std::chrono::milliseconds(40));
  metrics.OnTransition(Phase::kSubmit, Phase::kPoll);
  metrics.OnTransition(Phase::kSubmit, Phase::kPoll);
  metrics.OnTransition(Phase::kPoll, Phase::kAttention);
  metrics.OnVerificationFailure();
  metrics.OnAlertDelivered();
  metrics.OnPollSuccess(kStart + std::chrono::minutes(2));
  metrics.OnPollSuccess(kStart + std::chrono::minutes(1));  // finished late: no step back
  metrics.OnHoldsChanged(1, 3);

  auto f = metrics.Collect();
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request(kMchA, "declare", "ok")), 1);
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request(kMchB, "declare", "ok")), 1);
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request(kMchA, "query", "retry")), 1);
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request(kMchB, "query", "retry")), 0);
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total",
                         Request(kMchB, "certificates", "auth_problem")),
            1);
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request(kMchA, "query", "ok")), 0);
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request("other", "declare", "ok")), 0);
  const ClientMetric* declare =
      FindSeries(f, "customsd_api_request_duration_seconds", {{"endpoint", "declare"}});
  ASSERT_NE(declare, nullptr);
  EXPECT_EQ(declare->histogram.sample_count, 2u);
  EXPECT_DOUBLE_EQ(declare->histogram.sample_sum, 0.4);
  for (const auto& bucket : declare->histogram.bucket) {
    EXPECT_EQ(bucket.cumulative_count, bucket.upper_bound >= 0.2 ? 2u : 0u) << bucket.upper_bound;
  }
  EXPECT_EQ(CounterValue(f, "customsd_transitions_total",
                         {{"from_phase", "submit"}, {"to_phase", "poll"}}),
            2);
  EXPECT_EQ(CounterValue(f, "customsd_transitions_total",
                         {{"from_phase", "poll"}, {"to_phase", "attention"}}),
            1);
  EXPECT_EQ(CounterValue(f, "customsd_signature_verification_failures_total"), 1);
  EXPECT_EQ(CounterValue(f, "customsd_alert_deliveries_total"), 1);
  EXPECT_EQ(GaugeValue(f, "customsd_last_successful_poll_timestamp_seconds"), 1795305600 + 120);
  EXPECT_EQ(GaugeValue(f, "customsd_holds", {{"scope", "merchant"}}), 1);
  EXPECT_EQ(GaugeValue(f, "customsd_holds", {{"scope", "customs"}}), 3);
}

TEST(MetricsTest, AnUnknownMchidIsCountedAsOtherAndNeverBecomesALabel) {
  Metrics metrics(kStart, {kMchA});
  metrics.OnRequest("1555555555", "declare", OutcomeClass::kOk, std::chrono::seconds(1));
  auto f = metrics.Collect();
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request("other", "declare", "ok")), 1);
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request(kMchA, "declare", "ok")), 0);
  const prometheus::Collectable* sources[] = {&metrics};
  EXPECT_EQ(RenderMetricsText(sources).find("1555555555"), std::string::npos);
}

TEST(MetricsTest, AnUnknownEndpointIsCountedAsOtherAndNeverBecomesALabel) {
  Metrics metrics(kStart, {kMchA});
  metrics.OnRequest(kMchA, "20150806125346", OutcomeClass::kOk, std::chrono::seconds(1));
  auto f = metrics.Collect();
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request(kMchA, "other", "ok")), 1);
  const prometheus::Collectable* sources[] = {&metrics};
  EXPECT_EQ(RenderMetricsText(sources).find("20150806125346"), std::string::npos);
}

TEST(MetricsTest, CallsFromManyThreadsAreAllCounted) {
  Metrics metrics(kStart, {kMchA});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 1000; ++i) {
        metrics.OnRequest(kMchA, "query", OutcomeClass::kOk, std::chrono::milliseconds(i % 100));
        metrics.OnTransition(Phase::kPoll, Phase::kDone);
        metrics.OnPollSuccess(kStart + std::chrono::seconds(t * 1000 + i));
      }
    });
  }
  for (auto& t : threads) t.join();
  auto f = metrics.Collect();
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total", Request(kMchA, "query", "ok")), 8000);
  EXPECT_EQ(FindSeries(f, "customsd_api_request_duration_seconds", {{"endpoint", "query"}})
                ->histogram.sample_count,
            8000u);
  EXPECT_EQ(
      CounterValue(f, "customsd_transitions_total", {{"from_phase", "poll"}, {"to_phase", "done"}}),
      8000);
  EXPECT_EQ(GaugeValue(f, "customsd_last_successful_poll_timestamp_seconds"), 1795305600 + 7999);
}

}  // namespace
}  // namespace customsd
