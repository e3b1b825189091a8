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

const TimePoint kStart = testing::TestEpoch();

TEST(MetricsTest, EverySeriesOfTheClosedListsExistsAtZeroFromTheStart) {
  Metrics metrics(kStart);
  auto f = metrics.Collect();
  EXPECT_EQ(FindFamily(f, "customsd_api_requests_total")->metric.size(), 7u * 6u);
  EXPECT_EQ(FindFamily(f, "customsd_transitions_total")->metric.size(), 36u);
  EXPECT_EQ(FindFamily(f, "customsd_api_request_duration_seconds")->metric.size(), 7u);
  EXPECT_EQ(
      CounterValue(f, "customsd_api_requests_total", {{"endpoint", "declare"}, {"outcome", "ok"}}),
      0);
  EXPECT_EQ(CounterValue(f, "customsd_signature_verification_failures_total"), 0);
  EXPECT_EQ(GaugeValue(f, "customsd_last_successful_poll_timestamp_seconds"), 0);
  EXPECT_EQ(GaugeValue(f, "customsd_start_time_seconds"), 1795305600);
  EXPECT_EQ(GaugeValue(f, "customsd_build_info", {{"version", kVersion}, {"commit", kGitCommit}}),
            1);
}

TEST(MetricsTest, CountersMoveWithTheCalls) {
  Metrics metrics(kStart);
  metrics.OnRequest("declare", OutcomeClass::kOk, std::chrono::milliseconds(200));
  metrics.OnRequest("declare", OutcomeClass::kOk, std::chrono::milliseconds(200));
  metrics.OnRequest("query", OutcomeClass::kRetry, std::chrono::seconds(3));
  metrics.OnRequest("certificates", OutcomeClass::kAuthProblem, std::chrono::milliseconds(40));
  metrics.OnTransition(Phase::kSubmit, Phase::kPoll);
  metrics.OnTransition(Phase::kSubmit, Phase::kPoll);
  metrics.OnTransition(Phase::kPoll, Phase::kAttention);
  metrics.OnVerificationFailure();
  metrics.OnAlertDelivered();
  metrics.OnPollSuccess(kStart + std::chrono::minutes(2));
  metrics.OnPollSuccess(kStart + std::chrono::minutes(1));  // finished late: no step back

  auto f = metrics.Collect();
  EXPECT_EQ(
      CounterValue(f, "customsd_api_requests_total", {{"endpoint", "declare"}, {"outcome", "ok"}}),
      2);
  EXPECT_EQ(
      CounterValue(f, "customsd_api_requests_total", {{"endpoint", "query"}, {"outcome", "retry"}}),
      1);
  EXPECT_EQ(CounterValue(f, "customsd_api_requests_total",
                         {{"endpoint", "certificates"}, {"outcome", "auth_problem"}}),
            1);
  EXPECT_EQ(
      CounterValue(f, "customsd_api_requests_total", {{"endpoint", "query"}, {"outcome", "ok"}}),
      0);
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
}

TEST(MetricsTest, AnUnknownEndpointIsCountedAsOtherAndNeverBecomesALabel) {
  Metrics metrics(kStart);
  metrics.OnRequest("20150806125346", OutcomeClass::kOk, std::chrono::seconds(1));
  auto f = metrics.Collect();
  EXPECT_EQ(
      CounterValue(f, "customsd_api_requests_total", {{"endpoint", "other"}, {"outcome", "ok"}}),
      1);
  const prometheus::Collectable* sources[] = {&metrics};
  EXPECT_EQ(RenderMetricsText(sources).find("20150806125346"), std::string::npos);
}

TEST(MetricsTest, CallsFromManyThreadsAreAllCounted) {
  Metrics metrics(kStart);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 1000; ++i) {
        metrics.OnRequest("query", OutcomeClass::kOk, std::chrono::milliseconds(i % 100));
        metrics.OnTransition(Phase::kPoll, Phase::kDone);
        metrics.OnPollSuccess(kStart + std::chrono::seconds(t * 1000 + i));
      }
    });
  }
  for (auto& t : threads) t.join();
  auto f = metrics.Collect();
  EXPECT_EQ(
      CounterValue(f, "customsd_api_requests_total", {{"endpoint", "query"}, {"outcome", "ok"}}),
      8000);
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
