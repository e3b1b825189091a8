#include "daemon/workflow/operator_rules.h"

#include <gtest/gtest.h>

#include "tests/daemon/workflow/workflow_fixture.h"

namespace customsd {
namespace {

DeclarationRecord InAttention(bool accepted, bool check_first = false) {
  DeclarationRecord r;
  r.id = 7;
  r.fields = testing::PlainOrder("O1");
  r.state = accepted ? State::kProcessing : State::kUndeclared;
  r.phase = Phase::kAttention;
  r.failures = 5;
  r.attempts = 9;
  r.check_first = check_first;
  if (accepted) r.poll_started_at = 100;
  return r;
}

TEST(OperatorRulesTest, RetryOfADeclarationWeChatNeverAcceptedSubmitsItAgain) {
  OperatorPlan p = PlanRetry(InAttention(false), false, 5000);
  EXPECT_TRUE(p.skip.empty());
  EXPECT_EQ(p.update.phase, Phase::kSubmit);
  EXPECT_EQ(p.update.failures, 0);
  EXPECT_EQ(p.update.attempts, 0);
  EXPECT_EQ(p.update.next_attempt_at, 5000);
  EXPECT_FALSE(p.update.check_first.has_value()) << "a doubtful send stays doubtful";
  EXPECT_EQ(p.event.kind, "operator_retry");
}

TEST(OperatorRulesTest, RetryOfAnAcceptedDeclarationRestartsThePollingDeadline) {
  OperatorPlan p = PlanRetry(InAttention(true), false, 5000);
  EXPECT_EQ(p.update.phase, Phase::kPoll);
  EXPECT_EQ(p.update.poll_started_at, 5000);
}

TEST(OperatorRulesTest, RetrySendsAnUnconfirmedModificationAgain) {
  OperatorPlan p = PlanRetry(InAttention(true), true, 5000);
  EXPECT_EQ(p.update.phase, Phase::kModify);
}

TEST(OperatorRulesTest, RetryLeavesDeclarationsAtWorkAlone) {
  DeclarationRecord r = InAttention(true);
  r.phase = Phase::kPoll;
  OperatorPlan p = PlanRetry(r, false, 5000);
  EXPECT_NE(p.skip.find("phase is poll"), std::string::npos) << p.skip;
  EXPECT_FALSE(p.update.phase.has_value());
}

TEST(OperatorRulesTest, RedeclareTakesOnlySuccessOrExceptAndNeverOvertakesAModification) {
  DeclarationRecord r = InAttention(true);
  r.state = State::kExcept;
  EXPECT_EQ(PlanRedeclare(r, false, 5000).update.phase, Phase::kRedeclare);
  EXPECT_FALSE(PlanRedeclare(r, true, 5000).skip.empty());
  r.phase = Phase::kModify;
  EXPECT_FALSE(PlanRedeclare(r, false, 5000).skip.empty());
  r.phase = Phase::kDone;
  r.state = State::kFail;
  EXPECT_NE(PlanRedeclare(r, false, 5000).skip.find("state is FAIL"), std::string::npos);
}

TEST(OperatorRulesTest, CancelLeavesSettledDeclarationsAlone) {
  DeclarationRecord r = InAttention(true);
  EXPECT_EQ(PlanCancel(r, "refunded").update.phase, Phase::kCancelled);
  EXPECT_NE(PlanCancel(r, "refunded").event.message.find("refunded"), std::string::npos);
  r.phase = Phase::kDone;
  EXPECT_FALSE(PlanCancel(r, "").skip.empty());
}

TEST(OperatorRulesTest, ModifyOfAnAcceptedDeclarationIsSentAsAPatch) {
  DeclarationRecord r = InAttention(true);
  DeclarationFields f = r.fields;
  f.duty = 90;
  OperatorPlan p = PlanModify(r, f, 5000);
  EXPECT_EQ(p.update.phase, Phase::kModify);
  ASSERT_TRUE(p.fields.has_value());
  EXPECT_EQ(p.fields->duty, 90);
  EXPECT_NE(p.detail.find("duty"), std::string::npos) << p.detail;
}

TEST(OperatorRulesTest, ModifyBeforeAcceptanceChangesTheDeclareUnlessASendIsInDoubt) {
  DeclarationRecord r = InAttention(false);
  DeclarationFields f = r.fields;
  f.merchant_customs_no = "654321";
  EXPECT_EQ(PlanModify(r, f, 5000).update.phase, Phase::kSubmit);
  r.check_first = true;
  OperatorPlan doubtful = PlanModify(r, f, 5000);
  EXPECT_FALSE(doubtful.error.ok());
  EXPECT_FALSE(doubtful.update.phase.has_value());
}

TEST(OperatorRulesTest, ModifyWithTheSameValuesChangesNothing) {
  DeclarationRecord r = InAttention(true);
  EXPECT_FALSE(PlanModify(r, r.fields, 5000).skip.empty());
}

TEST(OperatorRulesTest, FieldChangesNamesOnlyTheModifiableFieldsThatDiffer) {
  DeclarationFields a = testing::PlainOrder("O1");
  DeclarationFields b = a;
  b.duty = a.duty.value_or(0) + 2;
  b.merchant_customs_no = a.merchant_customs_no + "9";
  EXPECT_EQ(FieldChanges(a, b), "merchant_customs_no " + a.merchant_customs_no + " -> " +
                                    b.merchant_customs_no + "; duty " +
                                    (a.duty ? std::to_string(*a.duty) : "none") + " -> " +
                                    std::to_string(*b.duty));
  EXPECT_EQ(FieldChanges(a, a), "");
}

TEST(OperatorRulesTest, ProjectedShowsTheRecordAfterThePlan) {
  DeclarationRecord r = InAttention(false);
  OperatorPlan p = PlanRetry(r, false, 5000);
  DeclarationRecord after = Projected(r, p, 5000);
  EXPECT_EQ(after.phase, Phase::kSubmit);
  EXPECT_EQ(after.failures, 0);
  EXPECT_EQ(after.version, r.version + 1);
}

}  // namespace
}  // namespace customsd
