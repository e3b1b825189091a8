// The workflow end to end against a scripted WeChat, with a fake clock and no threads.
#include "daemon/workflow/engine.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/daemon/workflow/workflow_fixture.h"

namespace customsd {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::PlainOrder;
using testing::SignedError;
using testing::SplitOrder;
using EngineTest = testing::WorkflowTest;

TEST_F(EngineTest, APlainOrderIsDeclaredPolledAndSettles) {
  DeclarationRecord r = AddOne(PlainOrder("A1"));
  engine_->RunDueInline(gate_);
  DeclarationRecord after = Reload(r);
  EXPECT_EQ(after.phase, Phase::kPoll);
  EXPECT_EQ(after.next_attempt_at, UnixMillis(clock_.Now()) + 10'000);
  EXPECT_EQ(wechat_.Count("declare"), 1);

  wechat_.SetState("A1", "", "PROCESSING");
  RunFor(seconds(10), 2);
  EXPECT_EQ(Reload(r).state, State::kProcessing);
  wechat_.SetState("A1", "", "SUCCESS");
  RunFor(seconds(30), 4);
  after = Reload(r);
  EXPECT_EQ(after.state, State::kSuccess);
  EXPECT_EQ(after.phase, Phase::kDone);
  EXPECT_EQ(AlertCount(), 0);
  EXPECT_EQ(wechat_.Count("declare"), 1);
}

TEST_F(EngineTest, OneQueryServesEveryDueSubOrderOfAnOrder) {
  auto report = store_.Add({SplitOrder("S1", "a"), SplitOrder("S1", "b"), SplitOrder("S1", "c")});
  ASSERT_TRUE(report.ok() && report->committed);
  engine_->RunDueInline(gate_);  // three declares
  ASSERT_EQ(wechat_.Count("declare"), 3);
  clock_.Advance(seconds(10));
  wechat_.SetState("S1", "a", "SUCCESS");
  wechat_.SetState("S1", "b", "FAIL");
  wechat_.SetState("S1", "c", "PROCESSING");
  engine_->RunDueInline(gate_);
  EXPECT_EQ(wechat_.Count("query"), 1);
  EXPECT_EQ(store_.Find(KeyOf(SplitOrder("S1", "a")))->value().phase, Phase::kDone);
  EXPECT_EQ(store_.Find(KeyOf(SplitOrder("S1", "b")))->value().state, State::kFail);
  EXPECT_EQ(store_.Find(KeyOf(SplitOrder("S1", "c")))->value().phase, Phase::kPoll);
  EXPECT_EQ(AlertCount(), 1);  // the FAIL
}

TEST_F(EngineTest, AnOrderWhoseAnswerComesInShortPagesSettlesEverySubOrder) {
  wechat_.SetPageMax(2);  // 2 a page, though 20 are asked for
  std::vector<DeclarationFields> subs;
  for (const char* sub : {"a", "b", "c", "d", "e", "f", "g"}) subs.push_back(SplitOrder("P7", sub));
  auto report = store_.Add(subs);
  ASSERT_TRUE(report.ok() && report->committed);
  engine_->RunDueInline(gate_);
  ASSERT_EQ(wechat_.Count("declare"), 7);
  for (const DeclarationFields& f : subs) wechat_.SetState("P7", f.sub_order_no, "SUCCESS");
  clock_.Advance(seconds(10));
  engine_->RunDueInline(gate_);
  for (const DeclarationFields& f : subs) {
    DeclarationRecord r = store_.Find(KeyOf(f))->value();
    EXPECT_EQ(r.phase, Phase::kDone) << f.sub_order_no << " " << r.last_error_message;
    EXPECT_EQ(r.state, State::kSuccess) << f.sub_order_no;
  }
  EXPECT_EQ(wechat_.Count("query"), 4);  // one order, four pages of it; no sub-order asked alone
  EXPECT_EQ(AlertCount(), 0);
}

// A signed query answer listing only sub-order "a", in `state`, while total_count says `total`.
TransportResult OnlyFirstSubOrder(const testing::PlatformSigner& p, const Clock& clock,
                                  const std::string& state, int total) {
  nlohmann::json body = {
      {"total_count", total}, {"offset", 0}, {"limit", 20},
      {"data", {{{"sub_order_no", "a"}, {"customs", "SHANGHAI_ZS"}, {"state", state}}}}};
  return testing::Answer(p.Signed(200, body.dump(), UnixMillis(clock.Now()) / 1000));
}

TEST_F(EngineTest, ASubOrderMissingFromItsOrdersAnswerIsAskedForAlone) {
  auto report = store_.Add({SplitOrder("M1", "a"), SplitOrder("M1", "b")});
  ASSERT_TRUE(report.ok() && report->committed);
  engine_->RunDueInline(gate_);
  wechat_.SetState("M1", "a", "SUCCESS");
  wechat_.SetState("M1", "b", "FAIL");
  // The order's answer leaves "b" out (a server that lost a record on its page); "b"'s own
  // query lists it as FAIL.
  std::vector<std::string> asked;
  wechat_.SetIntercept([&](const HttpRequest& req) -> std::optional<TransportResult> {
    asked.push_back(req.url);
    if (req.method == "GET" && req.url.find("order_type=out_trade_no") != std::string::npos) {
      return OnlyFirstSubOrder(platform_, clock_, "SUCCESS", 1);
    }
    return std::nullopt;
  });
  clock_.Advance(seconds(10));
  engine_->RunDueInline(gate_);
  EXPECT_EQ(store_.Find(KeyOf(SplitOrder("M1", "a")))->value().phase, Phase::kDone);
  DeclarationRecord b = store_.Find(KeyOf(SplitOrder("M1", "b")))->value();
  EXPECT_EQ(b.state, State::kFail);
  EXPECT_EQ(b.phase, Phase::kDone);
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_NE(asked[1].find("order_type=sub_order_no&order_no=b&"), std::string::npos) << asked[1];
}

TEST_F(EngineTest, OnlyADefiniteNotFoundOfTheSubOrderCountsAsNotFound) {
  auto report = store_.Add({SplitOrder("N1", "a"), SplitOrder("N1", "b")});
  ASSERT_TRUE(report.ok() && report->committed);
  engine_->RunDueInline(gate_);
  wechat_.SetState("N1", "a", "PROCESSING");
  wechat_.SetState("N1", "b", "PROCESSING");
  int own_queries = 0;
  wechat_.SetIntercept([&](const HttpRequest& req) -> std::optional<TransportResult> {
    if (req.method != "GET") return std::nullopt;
    if (req.url.find("order_type=out_trade_no") != std::string::npos) {
      return OnlyFirstSubOrder(platform_, clock_, "PROCESSING", 2);
    }
    // "b" alone: first a system error (no conclusion), then a definite not-found.
    ++own_queries;
    if (own_queries == 1) return SignedError(platform_, clock_, 500, "SYSTEMERROR", "busy");
    return SignedError(platform_, clock_, 404, "ORDER_NOT_EXIST", "no");
  });
  clock_.Advance(seconds(10));
  engine_->RunDueInline(gate_);
  DeclarationRecord b = store_.Find(KeyOf(SplitOrder("N1", "b")))->value();
  EXPECT_EQ(b.phase, Phase::kPoll);
  EXPECT_EQ(b.last_error_code, "SYSTEMERROR");
  RunFor(seconds(60), 3);
  b = store_.Find(KeyOf(SplitOrder("N1", "b")))->value();
  EXPECT_GE(own_queries, 2);
  EXPECT_EQ(b.last_error_code, "ORDER_NOT_EXIST") << b.last_error_message;
  EXPECT_EQ(b.phase, Phase::kPoll);  // polled again, as any not-found is
  EXPECT_EQ(AlertCount(), 0);
}

TEST_F(EngineTest, AnExceptIsRePushedUpToTheLimitThenNeedsAttention) {
  DeclarationRecord r = AddOne(PlainOrder("E1"));
  engine_->RunDueInline(gate_);
  wechat_.SetIntercept([&](const HttpRequest& req) -> std::optional<TransportResult> {
    // WeChat keeps reporting EXCEPT, whatever is re-pushed.
    if (req.method == "GET") wechat_.SetState("E1", "", "EXCEPT");
    return std::nullopt;
  });
  RunFor(seconds(10), 60);
  DeclarationRecord after = Reload(r);
  EXPECT_EQ(after.phase, Phase::kAttention);
  EXPECT_EQ(after.redeclares, 2);
  EXPECT_EQ(wechat_.Count("redeclare"), 2);
  EXPECT_EQ(AlertCount(), 1);
}

TEST_F(EngineTest, AnExceptRecoveredByARePushSettles) {
  DeclarationRecord r = AddOne(PlainOrder("E2"));
  engine_->RunDueInline(gate_);
  wechat_.SetState("E2", "", "EXCEPT");
  RunFor(seconds(10), 3);  // polled EXCEPT, re-pushed (back to UNDECLARED)
  EXPECT_EQ(wechat_.Count("redeclare"), 1);
  wechat_.SetState("E2", "", "SUCCESS");
  RunFor(seconds(30), 4);
  EXPECT_EQ(Reload(r).state, State::kSuccess);
  EXPECT_EQ(Reload(r).phase, Phase::kDone);
}

TEST_F(EngineTest, TransientErrorsAreRetriedThenGiveUpAtTheLimit) {
  DeclarationRecord r = AddOne(PlainOrder("T1"));
  wechat_.SetIntercept([&](const HttpRequest&) -> std::optional<TransportResult> {
    return SignedError(platform_, clock_, 500, "SYSTEMERROR", "busy");
  });
  RunFor(seconds(61), 10);
  DeclarationRecord after = Reload(r);
  EXPECT_EQ(after.phase, Phase::kAttention);
  EXPECT_EQ(after.failures, 4);
  EXPECT_EQ(after.last_error_code, "SYSTEMERROR");
  EXPECT_EQ(wechat_.Count("declare"), 4);
  EXPECT_EQ(AlertCount(), 1);
}

TEST_F(EngineTest, AnUnknownDeclareOutcomeIsCheckedBeforeAnyResend) {
  DeclarationRecord r = AddOne(PlainOrder("U1"));
  // The declare reaches WeChat, but the answer is lost.
  wechat_.SetIntercept([&](const HttpRequest& req) -> std::optional<TransportResult> {
    if (req.method == "POST") {
      wechat_.SetState("U1", "", "UNDECLARED");
      return testing::NetworkError(TransportErrorKind::kUnknown, "timeout");
    }
    return std::nullopt;
  });
  engine_->RunDueInline(gate_);
  EXPECT_TRUE(Reload(r).check_first);
  wechat_.SetIntercept(nullptr);
  RunFor(seconds(61), 2);
  DeclarationRecord after = Reload(r);
  EXPECT_EQ(after.phase, Phase::kPoll);
  EXPECT_FALSE(after.check_first);
  EXPECT_EQ(wechat_.Count("declare"), 1);  // never sent twice
  EXPECT_GE(wechat_.Count("query"), 1);
}

TEST_F(EngineTest, AnAttemptInFlightAtACrashIsQueriedFirstAndNotResentWhenWeChatHasIt) {
  DeclarationRecord r = CrashedWhileSending(PlainOrder("K1"));
  wechat_.SetState("K1", "", "PROCESSING");  // the lost declare had arrived
  engine_->RunDueInline(gate_);
  EXPECT_EQ(wechat_.Count("declare"), 0);
  EXPECT_EQ(wechat_.Count("query"), 1);
  EXPECT_EQ(Reload(r).phase, Phase::kPoll);
  EXPECT_EQ(Reload(r).state, State::kProcessing);
}

TEST_F(EngineTest, AnAttemptInFlightAtACrashIsSentWhenWeChatNeverGotIt) {
  DeclarationRecord r = CrashedWhileSending(PlainOrder("K2"));
  engine_->RunDueInline(gate_);
  EXPECT_EQ(wechat_.Count("query"), 1);
  EXPECT_EQ(wechat_.Count("declare"), 1);
  EXPECT_EQ(Reload(r).phase, Phase::kPoll);
}

TEST_F(EngineTest, ARefusalNeedsAttentionWithWeChatsCodeAndMessage) {
  DeclarationRecord r = AddOne(PlainOrder("P1"));
  wechat_.SetIntercept([&](const HttpRequest&) -> std::optional<TransportResult> {
    return SignedError(platform_, clock_, 400, "PARAM_ERROR", "merchant_customs_no invalid");
  });
  engine_->RunDueInline(gate_);
  DeclarationRecord after = Reload(r);
  EXPECT_EQ(after.phase, Phase::kAttention);
  EXPECT_EQ(after.last_error_code, "PARAM_ERROR");
  EXPECT_EQ(after.last_error_message, "merchant_customs_no invalid");
  EXPECT_EQ(AlertCount(), 1);
}

TEST_F(EngineTest, AMerchantRefusedAsAWholeIsHeldWithOneAlertAndResumesByItself) {
  AddOne(PlainOrder("H1"));
  AddOne(PlainOrder("H2"));
  AddOne(PlainOrder("H3"));
  bool refuse = true;
  wechat_.SetIntercept([&](const HttpRequest&) -> std::optional<TransportResult> {
    if (refuse) return SignedError(platform_, clock_, 401, "SIGN_ERROR", "bad signature");
    return std::nullopt;
  });
  engine_->RunDueInline(gate_);
  EXPECT_EQ(wechat_.Count("declare"), 1);  // the first refusal holds the rest back
  EXPECT_TRUE(engine_->holds().Cause(testing::kTestMchid).has_value());
  RunFor(minutes(1), 4);  // before the probe interval: nothing goes out
  EXPECT_EQ(wechat_.Count("declare"), 1);
  EXPECT_EQ(AlertCount(), 1);
  RunFor(minutes(1), 2);  // probe: still refused, still one alert for the hold
  EXPECT_EQ(wechat_.Count("declare"), 2);
  EXPECT_EQ(AlertCount(), 1);
  refuse = false;
  RunFor(minutes(5), 3);  // the next probe succeeds and the merchant resumes
  EXPECT_FALSE(engine_->holds().Cause(testing::kTestMchid).has_value());
  EXPECT_EQ(store_.List({.phase = Phase::kPoll})->size(), 3u);
  EXPECT_EQ(store_.List({.phase = Phase::kAttention})->size(), 0u);
}

TEST_F(EngineTest, PollingPastTheDeadlineNeedsAttention) {
  DeclarationRecord r = AddOne(PlainOrder("D1"));
  engine_->RunDueInline(gate_);
  wechat_.SetState("D1", "", "PROCESSING");
  RunFor(minutes(2), 40);
  DeclarationRecord after = Reload(r);
  EXPECT_EQ(after.phase, Phase::kAttention);
  EXPECT_EQ(AlertCount(), 1);
}

TEST_F(EngineTest, ARateLimitSlowsTheWholeClient) {
  AddOne(PlainOrder("R1"));
  const double before = engine_->bucket().rate(UnixMillis(clock_.Now()));
  wechat_.SetIntercept([&](const HttpRequest&) -> std::optional<TransportResult> {
    return SignedError(platform_, clock_, 429, "FREQUENCY_LIMITED", "slow down");
  });
  engine_->RunDueInline(gate_);
  EXPECT_LT(engine_->bucket().rate(UnixMillis(clock_.Now())), before);
}

}  // namespace
}  // namespace customsd

namespace customsd {
namespace {

using testing::PlainOrder;

TEST_F(EngineTest, ARePushInFlightAtACrashIsNotSentAgainWhenItArrived) {
  DeclarationRecord r = AddOne(PlainOrder("X1"));
  engine_->RunDueInline(gate_);  // declared
  wechat_.SetState("X1", "", "EXCEPT");
  clock_.Advance(std::chrono::seconds(10));
  engine_->RunDueInline(gate_);  // polled: EXCEPT -> redeclare
  DeclarationRecord before = Reload(r);
  ASSERT_EQ(before.phase, Phase::kRedeclare);
  // The re-push reached WeChat, then the daemon died before recording the answer.
  ASSERT_TRUE(store_.Transition(before.id, GuardOf(before), {.attempts = 1, .check_first = true},
                                {.kind = "redeclare_sent"})
                  .ok());
  wechat_.SetState("X1", "", "PROCESSING");
  engine_->RunDueInline(gate_);
  DeclarationRecord after = Reload(r);
  EXPECT_EQ(wechat_.Count("redeclare"), 0);
  EXPECT_EQ(after.phase, Phase::kPoll);
  EXPECT_EQ(after.redeclares, 1);
  EXPECT_FALSE(after.check_first);
}

}  // namespace
}  // namespace customsd
