#include "daemon/api/notify_deliverer.h"

#include <gtest/gtest.h>

#include "daemon/metrics/database_gauges.h"
#include "daemon/metrics/metrics.h"
#include "tests/storage/store_fixture.h"

namespace customsd {
namespace {

using Json = nlohmann::json;
using testing::PlainOrder;

class FixedRandom final : public Random {
 public:
  double Uniform() override { return 0.5; }
};

std::optional<std::string> HeaderOf(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

class NotifyDelivererTest : public testing::StoreTest {
 protected:
  // A declaration settled the way the engine settles one: a guarded transition to done.
  int64_t Settle(const std::string& order, State state) {
    DeclarationRecord r = AddOne(PlainOrder(order));
    DeclarationUpdate u;
    u.state = state;
    u.phase = Phase::kDone;
    EXPECT_TRUE(
        store_.Transition(r.id, GuardOf(r), u, {.kind = "polled", .message = "settled"}).ok());
    return r.id;
  }
  NotifyDeliverer Deliverer(std::set<std::string> events = {}) {
    return NotifyDeliverer(*db_, transport_, clock_, random_,
                           {{"http://127.0.0.1:1/hook", "http://127.0.0.1:1/hook?token=t",
                             "the-secret", std::move(events)}});
  }

  testing::FakeTransport transport_{[](const HttpRequest&) {
    return testing::Answer(HttpResponse{204, {}, ""});
  }};
  FixedRandom random_;
};

TEST_F(NotifyDelivererTest, EverySettledDeclarationIsPostedSignedInOrder) {
  NotifyDeliverer d = Deliverer();
  EXPECT_EQ(d.RunOnce(), 0) << "the cursor starts at the newest event";
  Settle("A1", State::kSuccess);
  Settle("A2", State::kFail);
  EXPECT_EQ(d.RunOnce(), 2);
  auto sent = transport_.requests();
  ASSERT_EQ(sent.size(), 2u);
  Json first = Json::parse(sent[0].body);
  EXPECT_EQ(first["type"], "declaration.succeeded");
  EXPECT_EQ(first["declaration"]["out_trade_no"], "A1");
  EXPECT_EQ(Json::parse(sent[1].body)["type"], "declaration.failed");
  EXPECT_EQ(sent[0].url, "http://127.0.0.1:1/hook?token=t");
  EXPECT_EQ(HeaderOf(sent[0], "Customsd-Event-Id"), first["event_id"].dump());
  const std::string ts = *HeaderOf(sent[0], "Customsd-Timestamp");
  EXPECT_EQ(ts, std::to_string(UnixMillis(clock_.Now()) / 1000));
  EXPECT_EQ(HeaderOf(sent[0], "Customsd-Signature"),
            NotificationSignature("the-secret", std::stoll(ts), sent[0].body));
  EXPECT_EQ(d.RunOnce(), 0) << "delivered ones are not sent again";
}

TEST_F(NotifyDelivererTest, TheSignatureIsHmacSha256OfTimestampDotBody) {
  // Computed by OpenSSL's command line, not by this code:
  //   printf '1700000000.{}' | openssl dgst -sha256 -hmac key
  EXPECT_EQ(NotificationSignature("key", 1700000000, "{}"),
            "v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae");
}

TEST_F(NotifyDelivererTest, AFailingReceiverIsRetriedWithBackoffAndLosesNothing) {
  NotifyDeliverer d = Deliverer();
  (void)d.RunOnce();
  Settle("A1", State::kSuccess);
  Settle("A2", State::kSuccess);
  int calls = 0;
  transport_.SetHandler([&](const HttpRequest&) {
    return testing::Answer(HttpResponse{++calls <= 2 ? 500 : 200, {}, ""});
  });
  EXPECT_EQ(d.RunOnce(), 0);
  EXPECT_EQ(d.RunOnce(), 0) << "not due yet: nothing sent";
  EXPECT_EQ(calls, 1);
  clock_.Advance(std::chrono::minutes(10));
  EXPECT_EQ(d.RunOnce(), 0);
  // The operator sees which receiver is behind, and how badly, in stats and /metrics.
  auto behind = store_.Stats();
  ASSERT_TRUE(behind.ok());
  ASSERT_EQ(behind->receivers.size(), 1u);
  EXPECT_EQ(behind->receivers[0].receiver, "http://127.0.0.1:1/hook") << "no query: no secret";
  EXPECT_EQ(behind->receivers[0].undelivered, 2);
  EXPECT_EQ(behind->receivers[0].failures, 2);
  EXPECT_EQ(behind->notify_receivers_failing, 1);
  auto gauges = DatabaseGauges::Open(dir_.File("customsd.db"), clock_);
  ASSERT_TRUE(gauges.ok()) << gauges.status().message();
  const prometheus::Collectable* sources[] = {gauges->get()};
  const std::string text = RenderMetricsText(sources);
  EXPECT_NE(text.find("customsd_notify_undelivered{receiver=\"http://127.0.0.1:1/hook\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("customsd_notify_consecutive_failures{receiver=\"http://127.0.0.1:1/hook\"} 2\n"),
      std::string::npos)
      << text;
  clock_.Advance(std::chrono::minutes(10));
  EXPECT_EQ(d.RunOnce(), 2);
  auto caught_up = store_.Stats();
  ASSERT_TRUE(caught_up.ok());
  ASSERT_EQ(caught_up->receivers.size(), 1u);
  EXPECT_EQ(caught_up->receivers[0].undelivered, 0);
  EXPECT_EQ(caught_up->receivers[0].failures, 0);
  std::set<std::string> orders;
  for (const HttpRequest& r : transport_.requests()) {
    orders.insert(Json::parse(r.body)["declaration"]["out_trade_no"].get<std::string>());
  }
  EXPECT_EQ(orders, (std::set<std::string>{"A1", "A2"}));
  EXPECT_EQ(Json::parse(transport_.requests().front().body)["declaration"]["out_trade_no"], "A1")
      << "the first is retried before the second is sent";
}

TEST_F(NotifyDelivererTest, TypesTheReceiverDoesNotTakeAreSkipped) {
  NotifyDeliverer d = Deliverer({"declaration.failed"});
  (void)d.RunOnce();
  Settle("A1", State::kSuccess);
  Settle("A2", State::kFail);
  EXPECT_EQ(d.RunOnce(), 1);
  ASSERT_EQ(transport_.requests().size(), 1u);
  EXPECT_EQ(Json::parse(transport_.requests()[0].body)["declaration"]["out_trade_no"], "A2");
}

}  // namespace
}  // namespace customsd
