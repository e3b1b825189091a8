// Holds for a merchant's setup at one customs (NOAUTH, customs information not configured,
// Self-Clearance off): only new sends to that (merchant, customs) wait; everything else goes on.
// Fake clock, scripted WeChat, no threads.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/daemon/workflow/workflow_fixture.h"

namespace customsd {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::PlainOrder;
using testing::SignedError;

constexpr const char* kA = "SHANGHAI_ZS";   // the merchant is not registered here
constexpr const char* kB = "GUANGZHOU_ZS";  // registered

// What the engine tells its observer about holds (the metrics' gauge).
class HoldCounts final : public WorkflowObserver {
 public:
  void OnTransition(Phase, Phase) override {}
  void OnPollSuccess(TimePoint) override {}
  void OnHoldsChanged(size_t merchants, size_t customs_pairs) override {
    merchants_ = merchants;
    customs_pairs_ = customs_pairs;
  }
  std::pair<size_t, size_t> counts() const { return {merchants_, customs_pairs_}; }

 private:
  size_t merchants_ = 0;
  size_t customs_pairs_ = 0;
};

class CustomsHoldTest : public testing::WorkflowTest {
 protected:
  CustomsHoldTest() {
    // Declares anywhere but at customs B are refused while `refuse_a_` is set; everything else
    // is WeChat's plain answer.
    wechat_.SetIntercept([this](const HttpRequest& req) -> std::optional<TransportResult> {
      if (req.method != "POST" || req.url.find("/redeclare") != std::string::npos) {
        return std::nullopt;
      }
      if (nlohmann::json::parse(req.body).value("customs", "") == kB) return std::nullopt;
      ++declares_at_a_;
      if (!refuse_a_) return std::nullopt;
      return SignedError(platform_, clock_, 403, refusal_code_, refusal_message_);
    });
  }

  DeclarationRecord Find(const std::string& out_trade_no, const std::string& customs) {
    return store_.Find(KeyOf(PlainOrder(out_trade_no, customs)))->value();
  }

  // Every alert as "cause: summary", oldest first.
  std::vector<std::string> Alerts() {
    std::vector<std::string> out;
    SQLite::Statement q(db_->sqlite(), "SELECT cause, summary FROM alerts ORDER BY id");
    while (q.executeStep()) {
      out.push_back(q.getColumn(0).getString() + ": " + q.getColumn(1).getString());
    }
    return out;
  }

  // n declarations at customs B, declared and accepted (polling), WeChat reporting PROCESSING.
  std::vector<std::string> AcceptedAtB(int n) {
    std::vector<std::string> orders;
    for (int i = 0; i < n; ++i) {
      orders.push_back("B" + std::to_string(i));
      AddOne(PlainOrder(orders.back(), kB));
    }
    for (int pass = 0; pass < 8; ++pass) engine_->RunDueInline(gate_);  // small batches too
    for (const std::string& o : orders) {
      EXPECT_EQ(Find(o, kB).phase, Phase::kPoll) << o;
      wechat_.SetState(o, "", "PROCESSING");
    }
    return orders;
  }

  bool refuse_a_ = true;
  std::string refusal_code_ = "NOAUTH";
  std::string refusal_message_ = "The merchant has not registered with the current customs";
  int declares_at_a_ = 0;
};

TEST_F(CustomsHoldTest, ANoAuthAtOneCustomsHoldsOnlyNewSendsThereAndLiftsAtTheProbe) {
  HoldCounts counts;
  engine_->set_observer(&counts);
  std::vector<std::string> at_b = AcceptedAtB(20);
  refuse_a_ = false;
  AddOne(PlainOrder("A_OLD", kA));  // accepted at A before the refusals start
  engine_->RunDueInline(gate_);
  ASSERT_EQ(Find("A_OLD", kA).phase, Phase::kPoll);
  wechat_.SetState("A_OLD", "", "PROCESSING");

  refuse_a_ = true;
  declares_at_a_ = 0;
  AddOne(PlainOrder("A_NEW1", kA));
  AddOne(PlainOrder("A_NEW2", kA));
  engine_->RunDueInline(gate_);  // A_NEW1 refused: NOAUTH; A_NEW2 waits behind it
  EXPECT_EQ(declares_at_a_, 1);
  EXPECT_FALSE(engine_->holds().Cause(testing::kTestMchid).has_value());
  EXPECT_EQ(engine_->holds().Cause(testing::kTestMchid, kA), "NO_AUTH");
  EXPECT_EQ(counts.counts(), std::make_pair(size_t{0}, size_t{1}));

  // Everything already accepted, at B and at A, is polled and settles on time.
  for (const std::string& o : at_b) wechat_.SetState(o, "", "SUCCESS");
  wechat_.SetState("A_OLD", "", "SUCCESS");
  RunFor(seconds(10), 12);  // two minutes, well inside the probe interval
  for (const std::string& o : at_b) {
    EXPECT_EQ(Find(o, kB).phase, Phase::kDone) << o;
    EXPECT_EQ(Find(o, kB).state, State::kSuccess) << o;
  }
  EXPECT_EQ(Find("A_OLD", kA).phase, Phase::kDone);
  EXPECT_EQ(declares_at_a_, 1);  // no new send to A before the probe is due
  DeclarationRecord held = Find("A_NEW1", kA);
  EXPECT_EQ(held.phase, Phase::kSubmit);
  EXPECT_EQ(held.last_error_code, "NOAUTH");
  // The refusal was the signed answer to the send: nothing is in doubt, so 'customsd modify'
  // may change it.
  EXPECT_FALSE(held.check_first);
  EXPECT_EQ(Find("A_NEW2", kA).phase, Phase::kSubmit);
  EXPECT_EQ(Find("A_NEW2", kA).attempts, 0);

  std::vector<std::string> alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rfind("customs_held: ", 0), 0u) << alerts[0];
  EXPECT_NE(alerts[0].find(kA), std::string::npos) << alerts[0];
  EXPECT_NE(alerts[0].find("NOAUTH"), std::string::npos) << alerts[0];
  EXPECT_EQ(alerts[0].find("refuses every request"), std::string::npos) << alerts[0];
  EXPECT_NE(alerts[0].find("every 5m"), std::string::npos) << alerts[0];

  RunFor(minutes(1), 4);  // the probe (5 minutes after the hold): one request, refused again
  EXPECT_EQ(declares_at_a_, 2);
  EXPECT_EQ(Alerts().size(), 1u);

  refuse_a_ = false;  // the merchant registers with customs A
  RunFor(minutes(1), 6);  // the next probe is answered: the hold lifts, A's sends go out
  EXPECT_EQ(Find("A_NEW1", kA).phase, Phase::kPoll);
  EXPECT_EQ(Find("A_NEW2", kA).phase, Phase::kPoll);
  EXPECT_EQ(declares_at_a_, 4);
  EXPECT_FALSE(engine_->holds().Cause(testing::kTestMchid, kA).has_value());
  EXPECT_EQ(counts.counts(), std::make_pair(size_t{0}, size_t{0}));
  wechat_.SetState("A_NEW1", "", "SUCCESS");
  wechat_.SetState("A_NEW2", "", "SUCCESS");
  RunFor(seconds(20), 10);
  EXPECT_EQ(Find("A_NEW1", kA).state, State::kSuccess);
  EXPECT_EQ(Find("A_NEW1", kA).phase, Phase::kDone);
  EXPECT_EQ(Find("A_NEW2", kA).phase, Phase::kDone);
  EXPECT_EQ(Alerts().size(), 1u);
}

TEST_F(CustomsHoldTest, ASignErrorStillHoldsEveryStepOfTheMerchantAtEveryCustoms) {
  AcceptedAtB(3);  // polling at B
  AddOne(PlainOrder("A1", kA));
  int requests = 0;
  wechat_.SetIntercept([&](const HttpRequest&) -> std::optional<TransportResult> {
    ++requests;
    return SignedError(platform_, clock_, 401, "SIGN_ERROR", "bad signature");
  });
  engine_->RunDueInline(gate_);  // A1's declare: refused, the merchant held
  RunFor(seconds(10), 12);       // the polls at B are due meanwhile, and wait too
  EXPECT_EQ(requests, 1);
  EXPECT_EQ(engine_->holds().Cause(testing::kTestMchid), "SIGN_ERROR");
  std::vector<std::string> alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rfind("merchant_held: ", 0), 0u) << alerts[0];
}

TEST_F(CustomsHoldTest, HeldSendsDoNotCrowdOutOtherDueWork) {
  EngineOptions small = DefaultOptions();
  small.batch_size = 4;  // a due-work window that held work alone could fill
  UseEngine(small);
  std::vector<std::string> at_b = AcceptedAtB(6);
  clock_.Advance(seconds(1));
  for (int i = 0; i < 10; ++i) AddOne(PlainOrder("A" + std::to_string(i), kA));
  engine_->RunDueInline(gate_);  // A0 refused; A1.. wait, and are due before every B poll
  for (const std::string& o : at_b) wechat_.SetState(o, "", "SUCCESS");
  RunFor(seconds(10), 12);
  for (const std::string& o : at_b) EXPECT_EQ(Find(o, kB).phase, Phase::kDone) << o;
  EXPECT_EQ(declares_at_a_, 1);
}

TEST_F(CustomsHoldTest, EverySpellingAndTheSetupMessagesHoldThePairNotTheMerchant) {
  const std::vector<std::pair<std::string, std::string>> refusals = {
      {"NOAUTH", "The merchant has not registered with the current customs"},
      {"NO_AUTH", "not registered"},
      {"no_auth", "not registered"},
      {"INVALID_REQUEST", "Customs information is not configured"},
      {"INVALID_REQUEST", "Self-Clearance is not enabled."}};
  // One customs each: the new engine sends the earlier rounds' held declarations again, each to
  // a pair of its own.
  const std::vector<std::string> customs = {kA, "HANGZHOU_ZS", "NINGBO", "XIAN", "TIANJIN"};
  int n = 0;
  for (const auto& [code, message] : refusals) {
    refusal_code_ = code;
    refusal_message_ = message;
    UseEngine(DefaultOptions());  // a fresh engine: no hold from the round before
    const std::string at = customs[static_cast<size_t>(n)];
    const std::string tag = std::to_string(n++);
    AddOne(PlainOrder("A" + tag, at));
    AddOne(PlainOrder("B" + tag, kB));
    engine_->RunDueInline(gate_);
    EXPECT_EQ(Find("A" + tag, at).phase, Phase::kSubmit) << code << " " << message;
    EXPECT_EQ(Find("A" + tag, at).last_error_code, code) << message;
    EXPECT_FALSE(engine_->holds().Cause(testing::kTestMchid).has_value()) << code << message;
    AddOne(PlainOrder("C" + tag, kB));  // after the refusal: a new send to B still goes out
    engine_->RunDueInline(gate_);
    EXPECT_EQ(Find("C" + tag, kB).phase, Phase::kPoll) << code << " " << message;
    EXPECT_EQ(Find("B" + tag, kB).phase, Phase::kPoll) << code << " " << message;
  }
}

TEST_F(CustomsHoldTest, ARestartDuringAHoldDoesNotAlertAgainAndANewHoldAfterItLiftsDoes) {
  AddOne(PlainOrder("A1", kA));
  engine_->RunDueInline(gate_);
  ASSERT_EQ(Alerts().size(), 1u);
  clock_.Advance(seconds(30));
  UseEngine(DefaultOptions());  // a restart: the hold is forgotten, the refusal is not over
  engine_->RunDueInline(gate_);
  EXPECT_EQ(declares_at_a_, 2);
  EXPECT_EQ(Alerts().size(), 1u);  // the same hold, still open

  refuse_a_ = false;
  RunFor(minutes(1), 6);  // lifts at the probe
  ASSERT_EQ(Find("A1", kA).phase, Phase::kPoll);
  refuse_a_ = true;  // registration withdrawn: a new hold, a new alert
  AddOne(PlainOrder("A2", kA));
  engine_->RunDueInline(gate_);
  EXPECT_EQ(Find("A2", kA).last_error_code, "NOAUTH");
  EXPECT_EQ(Alerts().size(), 2u);
}

TEST_F(CustomsHoldTest, ANoAuthAnswerToAPollIsRetriedThenNeedsAttentionAndHoldsNothing) {
  AddOne(PlainOrder("A1", kA));
  refuse_a_ = false;
  engine_->RunDueInline(gate_);
  int queries = 0;
  wechat_.SetIntercept([&](const HttpRequest& req) -> std::optional<TransportResult> {
    if (req.method != "GET") return std::nullopt;
    ++queries;
    return SignedError(platform_, clock_, 403, "NOAUTH", "not registered");
  });
  // Polled with the retry backoff (5 s doubling, 4 attempts), not once per pass and not once
  // per probe interval.
  RunFor(seconds(1), 120);
  EXPECT_EQ(queries, 4);
  DeclarationRecord after = Find("A1", kA);
  EXPECT_EQ(after.phase, Phase::kAttention);
  EXPECT_EQ(after.last_error_code, "NOAUTH");
  EXPECT_FALSE(engine_->holds().Cause(testing::kTestMchid).has_value());
  EXPECT_EQ(engine_->holds().size(), 0u);
}

}  // namespace
}  // namespace customsd
