// AlertDeliverer with a FakeTransport and a FakeClock: delivery, backoff, restarts. No network,
// no process, no waiting.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "tests/daemon/alerts/alert_deliverer_fixture.h"

namespace customsd {
namespace {

using namespace std::chrono_literals;
using testing::AddAlert;
using testing::AlertDelivererTest;
using testing::Answer;
using testing::NetworkError;
using testing::ReadAlertRow;
using testing::Reply;

TEST_F(AlertDelivererTest, DeliveredOnTwoHundred) {
  const int64_t id = AddAlert(*db_, "FAIL", Now());
  transport_.SetHandler([](const HttpRequest&) { return Answer(Reply(200)); });
  auto deliverer = Make(*db_);
  EXPECT_EQ(deliverer->RunOnce(), 1);

  const auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].url, testing::kWebhookUrl);
  EXPECT_EQ(requests[0].headers, (HttpHeaders{{"Content-Type", "application/json"}}));
  EXPECT_EQ(requests[0].timeout, 10s);
  EXPECT_EQ(nlohmann::json::parse(requests[0].body)["id"], id);
  const auto row = ReadAlertRow(*db_, id);
  EXPECT_EQ(row.delivered_at, Now());
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(row.last_error, std::nullopt);
  EXPECT_EQ(log_.Count("<3>error alert " + std::to_string(id) + " (FAIL): customs declaration"),
            1u);
  EXPECT_EQ(deliverer->RunOnce(), 0);  // nothing left
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(AlertDelivererTest, FailingReceiverIsRetriedWithGrowingDelaysAndGetsOneSuccess) {
  const int64_t id = AddAlert(*db_, "attention", Now());
  int answers = 0;
  int successes = 0;
  transport_.SetHandler([&](const HttpRequest&) {
    if (++answers <= 3) return Answer(Reply(500, "busy"));
    ++successes;
    return Answer(Reply(200));
  });
  auto deliverer = Make(*db_);
  std::vector<int64_t> delays;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    EXPECT_EQ(deliverer->RunOnce(), 0);
    const auto row = ReadAlertRow(*db_, id);
    EXPECT_EQ(row.attempts, attempt);
    EXPECT_EQ(row.last_error, "webhook: HTTP 500: busy");
    delays.push_back(row.next_attempt_at - Now());
    // Not a moment early.
    clock_.Advance(Millis(delays.back() - 1));
    EXPECT_EQ(deliverer->RunOnce(), 0);
    EXPECT_EQ(transport_.requests().size(), static_cast<size_t>(attempt));
    clock_.Advance(1ms);
  }
  EXPECT_EQ(delays, (std::vector<int64_t>{2'500, 5'000, 10'000}));  // half of 5 s, 10 s, 20 s
  EXPECT_EQ(deliverer->RunOnce(), 1);
  EXPECT_EQ(ReadAlertRow(*db_, id).delivered_at, Now());
  EXPECT_EQ(ReadAlertRow(*db_, id).attempts, 4);
  clock_.Advance(1h);
  EXPECT_EQ(deliverer->RunOnce(), 0);
  EXPECT_EQ(transport_.requests().size(), 4u);
  EXPECT_EQ(successes, 1);
  EXPECT_EQ(log_.Count("<3>error alert "), 1u);  // logged once, not per attempt
  EXPECT_EQ(log_.Count("<4>warning alert "), 3u);
}

TEST_F(AlertDelivererTest, BackoffIsCappedAtTenMinutes) {
  const int64_t id = AddAlert(*db_, "FAIL", Now());
  transport_.SetHandler(
      [](const HttpRequest&) { return NetworkError(TransportErrorKind::kNotSent); });
  testing::FixedRandom almost_one(0.999999);
  AlertDeliverer deliverer(*db_, config_, transport_, clock_, almost_one, runner_);
  for (int i = 0; i < 12; ++i) {
    deliverer.RunOnce();
    clock_.Set(FromUnixMillis(ReadAlertRow(*db_, id).next_attempt_at));
  }
  const auto row = ReadAlertRow(*db_, id);
  EXPECT_EQ(row.attempts, 12);  // no attempt limit
  EXPECT_EQ(row.delivered_at, std::nullopt);
  deliverer.RunOnce();
  EXPECT_NEAR(static_cast<double>(ReadAlertRow(*db_, id).next_attempt_at - Now()), 600'000, 1);
}

TEST_F(AlertDelivererTest, ANewDelivererOnAFreshConnectionDeliversWhatTheOldOneHadNot) {
  const int64_t id = AddAlert(*db_, "FAIL", Now());
  transport_.SetHandler(
      [](const HttpRequest&) { return NetworkError(TransportErrorKind::kNotSent); });
  Make(*db_)->RunOnce();
  ASSERT_EQ(ReadAlertRow(*db_, id).attempts, 1);
  db_.reset();  // "restart": nothing survives but the file

  auto db = testing::OpenMigrated(dir_.File("customsd.db"));
  transport_.SetHandler([](const HttpRequest&) { return Answer(Reply(200)); });
  auto deliverer = Make(*db);
  clock_.Advance(10min);
  EXPECT_EQ(deliverer->RunOnce(), 1);
  EXPECT_EQ(ReadAlertRow(*db, id).delivered_at, Now());
  EXPECT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(log_.Count("<3>error alert "), 1u);  // the restart does not log it again
}

TEST_F(AlertDelivererTest, WithNothingConfiguredTheLogLineIsTheDelivery) {
  config_.webhook_url.clear();
  const int64_t id = AddAlert(*db_, "FAIL", Now());
  EXPECT_EQ(Make(*db_)->RunOnce(), 1);
  EXPECT_EQ(ReadAlertRow(*db_, id).delivered_at, Now());
  EXPECT_TRUE(transport_.requests().empty());
  EXPECT_TRUE(runner_.runs.empty());
  EXPECT_EQ(log_.Count("<3>error alert " + std::to_string(id) + " (FAIL): customs declaration"),
            1u);
  EXPECT_EQ(log_.Count("delivered to the log only"), 1u);
  auto counts = AlertOutbox(*db_).Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 0);
  EXPECT_EQ(counts->delivered, 1);
}

}  // namespace
}  // namespace customsd
