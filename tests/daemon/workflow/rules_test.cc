#include "daemon/workflow/rules.h"

#include <gtest/gtest.h>

#include "tests/daemon/workflow/workflow_fixture.h"

namespace customsd {
namespace {

using testing::TestSettings;

class FixedRandom final : public Random {
 public:
  double Uniform() override { return 0.5; }
};

DeclarationRecord Polling(int attempts = 0, int redeclares = 0, int64_t started = 0) {
  DeclarationRecord r;
  r.id = 7;
  r.fields = testing::PlainOrder("O1");
  r.state = State::kProcessing;
  r.phase = Phase::kPoll;
  r.attempts = attempts;
  r.redeclares = redeclares;
  r.poll_started_at = started;
  return r;
}

QueryRecord Item(const std::string& state) {
  QueryRecord q;
  q.state = state;
  q.explanation = state == "FAIL" ? "amount mismatch" : "";
  return q;
}

class RulesTest : public ::testing::Test {
 protected:
  FixedRandom random_;
  Rules rules_{TestSettings(), random_};
  ApiOutcome ok_{OutcomeClass::kOk, 200};
  QueryResult result_;
};

TEST_F(RulesTest, AcceptedDeclarationsArePolledAfterTheFirstDelay) {
  DeclarationStatus answer{"UNDECLARED"};
  answer.sub_order_id = "W1";
  Decision d = rules_.Accepted(Polling(), answer, ok_, "declared", 1000);
  EXPECT_EQ(d.update.phase, Phase::kPoll);
  EXPECT_EQ(d.update.state, State::kUndeclared);
  EXPECT_EQ(d.update.next_attempt_at, 1000 + 10'000);
  EXPECT_EQ(d.update.poll_started_at, 1000);
  EXPECT_EQ(d.update.sub_order_id, "W1");
  EXPECT_EQ(d.update.check_first, false);
  EXPECT_FALSE(d.alert);
}

TEST_F(RulesTest, SuccessIsDoneWithoutAnAlertAndFailIsDoneWithOne) {
  Decision s = rules_.Reported(Polling(), result_, Item("SUCCESS"), ok_, 5000);
  EXPECT_EQ(s.update.phase, Phase::kDone);
  EXPECT_FALSE(s.alert);
  Decision f = rules_.Reported(Polling(), result_, Item("FAIL"), ok_, 5000);
  EXPECT_EQ(f.update.phase, Phase::kDone);
  EXPECT_EQ(f.update.state, State::kFail);
  EXPECT_EQ(f.update.explanation, "amount mismatch");
  ASSERT_TRUE(f.alert);
  EXPECT_EQ(f.alert->cause, "FAIL");
  EXPECT_EQ(f.alert->dedupe_key,
            "declaration:7:FAIL:v" + std::to_string(Polling().version));
  EXPECT_NE(f.alert->summary.find("O1"), std::string::npos);
  EXPECT_NE(f.alert->summary.find("amount mismatch"), std::string::npos);
}

TEST_F(RulesTest, ExceptIsRePushedAtOnceThenSpacedThenNeedsAttention) {
  Decision first = rules_.Reported(Polling(0, 0), result_, Item("EXCEPT"), ok_, 5000);
  EXPECT_EQ(first.update.phase, Phase::kRedeclare);
  EXPECT_EQ(first.update.next_attempt_at, 5000);
  Decision second = rules_.Reported(Polling(0, 1), result_, Item("EXCEPT"), ok_, 5000);
  EXPECT_EQ(second.update.phase, Phase::kRedeclare);
  EXPECT_EQ(second.update.next_attempt_at, 5000 + 30'000);
  Decision done = rules_.Reported(Polling(0, 2), result_, Item("EXCEPT"), ok_, 5000);
  EXPECT_EQ(done.update.phase, Phase::kAttention);
  ASSERT_TRUE(done.alert);
  EXPECT_EQ(done.alert->cause, "EXCEPT");
}

TEST_F(RulesTest, ExceptWithRePushOffNeedsAttentionAtOnce) {
  WorkflowSettings s = TestSettings();
  s.redeclare.on_except = false;
  Rules rules(s, random_);
  Decision d = rules.Reported(Polling(), result_, Item("EXCEPT"), ok_, 5000);
  EXPECT_EQ(d.update.phase, Phase::kAttention);
}

TEST_F(RulesTest, UnsettledStatesArePolledWithGrowingCappedDelays) {
  // Equal jitter at 0.5: three quarters of the cap (10 s, 20 s, 40 s, 80 s, 80 s).
  const int64_t expected[] = {7500, 15000, 30000, 60000, 60000};
  for (int attempts = 0; attempts < 5; ++attempts) {
    Decision d = rules_.Reported(Polling(attempts), result_, Item("PROCESSING"), ok_, 0);
    EXPECT_EQ(d.update.phase, Phase::kPoll);
    EXPECT_EQ(d.update.next_attempt_at, expected[attempts]) << attempts;
    EXPECT_EQ(d.update.attempts, attempts + 1);
  }
}

TEST_F(RulesTest, PollingPastTheDeadlineNeedsAttention) {
  Decision before = rules_.Reported(Polling(3, 0, 0), result_, Item("PROCESSING"), ok_,
                                    3'600'000 - 1);
  EXPECT_EQ(before.update.phase, Phase::kPoll);
  Decision at = rules_.Reported(Polling(3, 0, 0), result_, Item("PROCESSING"), ok_, 3'600'000);
  EXPECT_EQ(at.update.phase, Phase::kAttention);
  ASSERT_TRUE(at.alert);
  EXPECT_EQ(at.alert->cause, "deadline");
}

TEST_F(RulesTest, TransientFailuresBackOffWithFullJitterUntilTheLimit) {
  ApiOutcome busy{OutcomeClass::kRetry, 500, "SYSTEMERROR", "busy"};
  DeclarationRecord r = Polling();
  r.phase = Phase::kSubmit;
  Decision d = rules_.Transient(r, busy, false, 0);
  EXPECT_EQ(d.update.failures, 1);
  EXPECT_EQ(d.update.next_attempt_at, 2500);  // half of the 5 s cap
  EXPECT_EQ(d.update.last_error_code, "SYSTEMERROR");
  EXPECT_EQ(d.update.check_first, false);
  EXPECT_EQ(d.event.kind, "retry");
  r.failures = 3;
  Decision last = rules_.Transient(r, busy, false, 0);
  EXPECT_EQ(last.update.phase, Phase::kAttention);
  ASSERT_TRUE(last.alert);
  EXPECT_EQ(last.alert->cause, "retries_exhausted");
}

TEST_F(RulesTest, AnUnknownSendMarksTheDeclarationToBeCheckedFirst) {
  ApiOutcome lost{OutcomeClass::kUnknown, 0, "", "timeout"};
  Decision d = rules_.Transient(Polling(), lost, true, 0);
  EXPECT_EQ(d.update.check_first, true);
  EXPECT_EQ(d.event.kind, "unknown_outcome");
}

TEST_F(RulesTest, ARefusalNeedsAttentionNamingTheCode) {
  ApiOutcome refused{OutcomeClass::kRefused, 400, "PARAM_ERROR", "bad customs"};
  refused.request_id = "rid-1";
  Decision d = rules_.Refused(Polling(), refused, /*doubt=*/false, 0);
  EXPECT_EQ(d.update.phase, Phase::kAttention);
  EXPECT_EQ(d.update.last_error_code, "PARAM_ERROR");
  EXPECT_EQ(d.update.last_http_status, std::optional<int>(400));
  EXPECT_EQ(d.event.request_id, "rid-1");
  ASSERT_TRUE(d.alert);
  EXPECT_EQ(d.alert->cause, "refused:PARAM_ERROR");
  EXPECT_NE(d.alert->summary.find("bad customs"), std::string::npos);
}

TEST_F(RulesTest, ASignedRefusalOfTheSendClearsTheDoubtAndARefusedQueryKeepsIt) {
  DeclarationRecord sent = Polling();
  sent.check_first = true;  // the attempt was committed before the send
  ApiOutcome refused{OutcomeClass::kRefused, 400, "PARAM_ERROR", "bad customs no"};
  EXPECT_EQ(rules_.Refused(sent, refused, /*doubt=*/false, 0).update.check_first, false);
  EXPECT_EQ(rules_.Refused(sent, refused, /*doubt=*/true, 0).update.check_first, true);
}

TEST_F(RulesTest, TheSameRefusalAfterAnOperatorsRetryIsANewAlert) {
  DeclarationRecord r = Polling();
  ApiOutcome refused{OutcomeClass::kRefused, 400, "PARAM_ERROR", "bad customs no"};
  const std::string first = rules_.Refused(r, refused, false, 0).alert->dedupe_key;
  r.version += 2;  // the attention transition, then 'customsd retry'
  EXPECT_NE(rules_.Refused(r, refused, false, 0).alert->dedupe_key, first);
}

}  // namespace
}  // namespace customsd
