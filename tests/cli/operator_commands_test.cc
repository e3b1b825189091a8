// retry, redeclare and modify: what operators change while the daemon runs. Declarations are
// put into the needed states with guarded transitions on the test's own connection; the commands
// run in-process through a CLI11 app of their own (see OperatorTest::Op).
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/commands/commands.h"
#include "daemon/commands/selector.h"
#include "storage/declaration_fields_update.h"
#include "storage/declaration_store.h"
#include "tests/cli/cli_fixture.h"

namespace customsd {

namespace {

using testing::CliResult;
using testing::GoodLine;
using testing::kTestMchid;

constexpr int64_t kHour = 3600 * 1000;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class OperatorTest : public testing::CliTest {
 protected:
  void SetUp() override {
    std::string split =
        R"({"out_trade_no":"SPLIT1","transaction_id":"1000320306201511078440737891",)"
        R"("customs":"GUANGZHOU_ZS","merchant_customs_no":"123456","sub_order_no":"SUB_A",)"
        R"("fee_type":"CNY","order_fee":1000,"transport_fee":100,"product_fee":900})";
    std::string split_b = split;
    split_b.replace(split_b.find("SUB_A"), 5, "SUB_B");
    ASSERT_EQ(DeclareText("seed.jsonl", GoodLine("P1") + "\n" + GoodLine("P2") + "\n" +
                                            GoodLine("P3") + "\n" + split + "\n" + split_b + "\n")
                  .code,
              0);
    auto db = Database::Open(install_.db_path());
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    store_ = std::make_unique<DeclarationStore>(*db_, clock_);
    clock_.Advance(std::chrono::hours(100));
  }

  // Runs one command through the real command line, as `customsd -c CONFIG args...`.
  CliResult Op(const std::vector<std::string>& args) { return Run(args); }

  DeclarationRecord Rec(const std::string& order, const std::string& sub = "") {
    DeclarationKey key{kTestMchid, order, sub, sub.empty() ? "SHANGHAI_ZS" : "GUANGZHOU_ZS"};
    auto found = store_->Find(key);
    EXPECT_TRUE(found.ok() && found->has_value()) << key.ToString();
    return found.ok() && found->has_value() ? **found : DeclarationRecord{};
  }

  void Move(const std::string& order, DeclarationUpdate u, const std::string& sub = "") {
    DeclarationRecord r = Rec(order, sub);
    Status s = store_->Transition(r.id, GuardOf(r), u, {.kind = "test", .message = "set up"});
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // WeChat accepted it an hour ago and it is being polled.
  void Accepted(const std::string& order, const std::string& sub = "") {
    Move(order,
         {.state = State::kProcessing, .phase = Phase::kPoll, .poll_started_at = Now() - kHour},
         sub);
  }

  Event LastEvent(const std::string& order, const std::string& sub = "") {
    auto events = store_->Events(Rec(order, sub).id);
    EXPECT_TRUE(events.ok() && !events->empty());
    return events.ok() && !events->empty() ? events->back() : Event{};
  }

  int64_t Now() const { return UnixMillis(clock_.Now()); }

  std::unique_ptr<Database> db_;
  std::unique_ptr<DeclarationStore> store_;
};

// --- selector ------------------------------------------------------------------------------

TEST_F(OperatorTest, TheSelectorTakesExactlyOneOfItsTwoForms) {
  const std::string before = Snapshot();
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"retry"},
           {"retry", "--customs", "SHANGHAI_ZS"},
           {"retry", "P1", "--phase", "attention"},
           {"redeclare", "--sub-order-no", "SUB_A", "--state", "EXCEPT"},
           {"retry", "--state", "DONE"},
           {"redeclare", "--phase", "ATTENTION"},
       }) {
    CliResult r = Op(args);
    EXPECT_EQ(r.code, 2) << args.size() << " " << r.err;
    EXPECT_TRUE(Has(r.err, "customsd: ")) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(OperatorTest, AnAmbiguousOrderListsTheCandidatesAndChangesNothing) {
  Move("SPLIT1", {.phase = Phase::kAttention}, "SUB_A");
  Move("SPLIT1", {.phase = Phase::kAttention}, "SUB_B");
  const std::string before = Snapshot();
  CliResult r = Op({"retry", "SPLIT1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(Has(r.err, "2 declarations match out_trade_no SPLIT1")) << r.err;
  EXPECT_TRUE(Has(r.err, "1230000109/SPLIT1/SUB_A/GUANGZHOU_ZS")) << r.err;
  EXPECT_TRUE(Has(r.err, "1230000109/SPLIT1/SUB_B/GUANGZHOU_ZS")) << r.err;
  EXPECT_EQ(Snapshot(), before);

  r = Op({"retry", "SPLIT1", "--sub-order-no", "SUB_B"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Rec("SPLIT1", "SUB_A").phase, Phase::kAttention);
  EXPECT_EQ(Rec("SPLIT1", "SUB_B").phase, Phase::kSubmit);
}

TEST_F(OperatorTest, AFilterSelectsEveryMatchOfStatePhaseCustomsAndMerchant) {
  Move("P1", {.phase = Phase::kAttention});
  Move("P2", {.phase = Phase::kAttention});
  Move("SPLIT1", {.phase = Phase::kAttention}, "SUB_A");
  CliResult r = Op({"retry", "--phase", "attention", "--state", "UNDECLARED", "--customs",
                    "SHANGHAI_ZS", "--mchid", kTestMchid, "--yes"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "retry: 2 declarations put back to work\n")) << r.out;
  EXPECT_EQ(Rec("P1").phase, Phase::kSubmit);
  EXPECT_EQ(Rec("P2").phase, Phase::kSubmit);
  EXPECT_EQ(Rec("SPLIT1", "SUB_A").phase, Phase::kAttention);
}

TEST_F(OperatorTest, NothingMatchingIsNotAnError) {
  const std::string before = Snapshot();
  CliResult r = Op({"retry", "--state", "FAIL"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "no declarations match\n");
  r = Op({"redeclare", "--state", "FAIL", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::array());
  EXPECT_TRUE(Has(r.err, "no declarations match")) << r.err;
  // One declaration named that does not exist is another matter: exit 3.
  r = Op({"redeclare", "NO_SUCH_ORDER", "--json"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(Has(r.err, "no declaration matches NO_SUCH_ORDER")) << r.err;
  EXPECT_EQ(Snapshot(), before);
}

// --- retry ---------------------------------------------------------------------------------

TEST_F(OperatorTest, RetrySubmitsWhatWeChatNeverAcceptedAndKeepsTheDoubt) {
  Move("P1", {.phase = Phase::kAttention,
              .last_error_code = "SYSTEMERROR",
              .last_error_message = "busy",
              .check_first = true,
              .failures = 12});
  CliResult r = Op({"retry", "P1"});
  ASSERT_EQ(r.code, 0) << r.err;
  DeclarationRecord p1 = Rec("P1");
  EXPECT_EQ(p1.phase, Phase::kSubmit);
  EXPECT_EQ(p1.state, State::kUndeclared);
  EXPECT_EQ(p1.failures, 0);
  EXPECT_EQ(p1.next_attempt_at, Now());
  EXPECT_TRUE(p1.check_first);  // a doubtful send is still checked first
  EXPECT_FALSE(p1.poll_started_at.has_value());
  Event e = LastEvent("P1");
  EXPECT_EQ(e.kind, "operator_retry");
  EXPECT_EQ(e.from_phase, Phase::kAttention);
  EXPECT_EQ(e.to_phase, Phase::kSubmit);
  EXPECT_TRUE(Has(
      r.out, "1230000109/P1/-/SHANGHAI_ZS (id " + std::to_string(p1.id) + "): attention -> submit"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "retry: 1 declaration put back to work\n")) << r.out;
}

TEST_F(OperatorTest, RetryPollsWhatWeChatAcceptedWithAFreshDeadline) {
  Accepted("P1");
  Move("P1", {.phase = Phase::kAttention, .attempts = 40, .failures = 0});
  CliResult r = Op({"retry", "--phase", "attention", "--yes"});
  ASSERT_EQ(r.code, 0) << r.err;
  DeclarationRecord p1 = Rec("P1");
  EXPECT_EQ(p1.phase, Phase::kPoll);
  EXPECT_EQ(p1.state, State::kProcessing);
  EXPECT_EQ(p1.poll_started_at, Now());
  EXPECT_EQ(p1.attempts, 0);
  EXPECT_EQ(p1.next_attempt_at, Now());
  EXPECT_EQ(LastEvent("P1").kind, "operator_retry");
}

TEST_F(OperatorTest, RetrySendsAModificationWeChatNeverConfirmedAgain) {
  Accepted("P1");
  Move("P1", {.phase = Phase::kModify});
  Move("P1", {.phase = Phase::kAttention, .failures = 12});  // retries exhausted on the PATCH
  CliResult r = Op({"retry", "P1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Rec("P1").phase, Phase::kModify);
  EXPECT_TRUE(Has(r.out, "attention -> modify")) << r.out;
}

TEST_F(OperatorTest, RetrySkipsDeclarationsThatDoNotNeedAttention) {
  Move("P1", {.phase = Phase::kAttention});
  Accepted("P2");
  const int64_t p2_version = Rec("P2").version;
  CliResult r = Op({"retry", "P2"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.err, "note: 1230000109/P2/-/SHANGHAI_ZS")) << r.err;
  EXPECT_TRUE(Has(r.err, "phase is poll")) << r.err;
  EXPECT_TRUE(Has(r.out, "retry: 0 declarations put back to work, 1 skipped")) << r.out;
  EXPECT_EQ(Rec("P2").version, p2_version);
}

TEST_F(OperatorTest, RetryJsonPrintsTheChangedRecords) {
  Move("P1", {.phase = Phase::kAttention});
  Move("P2", {.phase = Phase::kAttention});
  CliResult r = Op({"retry", "--phase", "attention", "--json", "--yes"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  for (const auto& rec : j) {
    EXPECT_EQ(rec["phase"], "submit");
    EXPECT_EQ(rec["state"], "UNDECLARED");
    EXPECT_TRUE(rec.contains("out_trade_no"));
  }
}

TEST_F(OperatorTest, DryRunShowsTheChangeAndChangesNothing) {
  Move("P1", {.phase = Phase::kAttention});
  const std::string before = Snapshot();
  CliResult r = Op({"retry", "--phase", "attention", "--dry-run"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "attention -> submit")) << r.out;
  EXPECT_TRUE(Has(r.out, "dry run, nothing changed: 1 declaration would be put back to work"))
      << r.out;
  r = Op({"retry", "--phase", "attention", "--dry-run", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)[0]["phase"], "submit");
  r = Op({"modify", "P1", "--duty", "5", "--dry-run"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "duty 88 -> 5")) << r.out;
  EXPECT_EQ(Snapshot(), before);
}

// --- redeclare -----------------------------------------------------------------------------

TEST_F(OperatorTest, RedeclareQueuesSuccessAndExceptBeyondTheAutomaticLimit) {
  Accepted("P1");
  Move("P1", {.state = State::kSuccess, .phase = Phase::kDone});
  Accepted("P2");
  Move("P2", {.state = State::kExcept, .phase = Phase::kAttention, .failures = 2, .redeclares = 3});
  Accepted("P3");  // PROCESSING: skipped
  CliResult r = Op({"redeclare", "--customs", "SHANGHAI_ZS", "--state", "SUCCESS", "-y"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Op({"redeclare", "P2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "redeclare: 1 declaration queued for a re-push")) << r.out;
  for (const char* order : {"P1", "P2"}) {
    DeclarationRecord d = Rec(order);
    EXPECT_EQ(d.phase, Phase::kRedeclare) << order;
    EXPECT_EQ(d.next_attempt_at, Now()) << order;
    EXPECT_EQ(d.failures, 0) << order;
    EXPECT_EQ(LastEvent(order).kind, "operator_redeclare") << order;
  }
  EXPECT_EQ(Rec("P2").redeclares, 3);  // not reset: the operator's re-push is one more

  const int64_t p3_version = Rec("P3").version;
  r = Op({"redeclare", "P3"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.err, "state is PROCESSING")) << r.err;
  EXPECT_EQ(Rec("P3").version, p3_version);
}

TEST_F(OperatorTest, RedeclareWaitsForAModificationStillToBeSent) {
  Accepted("P1");
  Move("P1", {.state = State::kExcept, .phase = Phase::kModify});
  Accepted("P2");
  Move("P2", {.state = State::kExcept, .phase = Phase::kModify});
  Move("P2", {.phase = Phase::kAttention});
  const std::string before = Snapshot();
  CliResult r = Op({"redeclare", "--state", "EXCEPT", "--yes"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "0 declarations queued for a re-push, 2 skipped")) << r.out;
  EXPECT_TRUE(Has(r.err, "modification is about to be sent")) << r.err;
  EXPECT_TRUE(Has(r.err, "not confirmed its last modification")) << r.err;
  EXPECT_EQ(Snapshot(), before);
}

// --- modify --------------------------------------------------------------------------------

TEST_F(OperatorTest, ModifyStoresTheNewValuesAndQueuesThePatch) {
  Accepted("P1");
  Move("P1", {.phase = Phase::kAttention, .failures = 4});
  CliResult r = Op({"modify", "P1", "--merchant-customs-no", "NEW-99", "--duty", "120"});
  ASSERT_EQ(r.code, 0) << r.err;
  DeclarationRecord p1 = Rec("P1");
  EXPECT_EQ(p1.fields.merchant_customs_no, "NEW-99");
  EXPECT_EQ(p1.fields.duty, 120);
  EXPECT_EQ(p1.phase, Phase::kModify);
  EXPECT_EQ(p1.state, State::kProcessing);
  EXPECT_EQ(p1.failures, 0);
  EXPECT_EQ(p1.next_attempt_at, Now());
  Event e = LastEvent("P1");
  EXPECT_EQ(e.kind, "operator_modify");
  EXPECT_EQ(e.to_phase, Phase::kModify);
  EXPECT_TRUE(Has(e.message, "merchant_customs_no 123456 -> NEW-99")) << e.message;
  EXPECT_TRUE(Has(e.message, "duty 88 -> 120")) << e.message;
  EXPECT_TRUE(Has(r.out, "attention -> modify")) << r.out;
  EXPECT_TRUE(Has(r.out, "modify: 1 declaration queued for modification (PATCH)")) << r.out;
}

TEST_F(OperatorTest, ModifyOfASplitOrderKeepsTheSumRule) {
  Accepted("SPLIT1", "SUB_A");
  const std::string before = Snapshot();
  CliResult r = Op({"modify", "SPLIT1", "--sub-order-no", "SUB_A", "--product-fee", "950"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(Has(r.err, "order_fee (stored value, change it with --order-fee)")) << r.err;
  EXPECT_TRUE(Has(r.err, "must equal transport_fee + product_fee")) << r.err;
  r = Op(
      {"modify", "SPLIT1", "--sub-order-no", "SUB_A", "--order-fee", "1", "--product-fee", "950"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(Has(r.err, "customsd: --order-fee: must equal")) << r.err;
  EXPECT_EQ(Snapshot(), before);

  r = Op({"modify", "SPLIT1", "--sub-order-no", "SUB_A", "--order-fee", "1050", "--product-fee",
          "950", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["order_fee"], 1050);
  EXPECT_EQ(j[0]["product_fee"], 950);
  EXPECT_EQ(j[0]["phase"], "modify");
  EXPECT_EQ(Rec("SPLIT1", "SUB_A").fields.order_fee, 1050);
  EXPECT_EQ(Rec("SPLIT1", "SUB_B").fields.order_fee, 1000);
}

TEST_F(OperatorTest, ModifyRefusesBadInputNamingTheFlag) {
  Accepted("P1");
  const std::string before = Snapshot();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"modify", "P1"}, "nothing to modify"},
           {{"modify", "--duty", "1"}, "say which declaration"},
           {{"modify", "P1", "--duty", "12.5"}, "--duty: must be a whole number of fen"},
           {{"modify", "P1", "--duty=-3"}, "--duty: "},
           {{"modify", "P1", "--merchant-customs-no", "bad no"}, "--merchant-customs-no: "},
           {{"modify", "P1", "--order-fee", "10"},
            "--order-fee: 1230000109/P1/-/SHANGHAI_ZS is "
            "not a split order"},
           {{"modify", "SPLIT1", "--duty", "1"}, "2 declarations match"},
       }) {
    CliResult r = Op(c.args);
    EXPECT_EQ(r.code, 2) << c.message << ": " << r.err;
    EXPECT_TRUE(Has(r.err, c.message)) << r.err;
  }
  EXPECT_EQ(Snapshot(), before);
  CliResult r = Op({"modify", "NO_SUCH", "--duty", "1"});
  EXPECT_EQ(r.code, 3);
  EXPECT_TRUE(Has(r.err, "no declaration matches NO_SUCH")) << r.err;
}

TEST_F(OperatorTest, ModifyWithTheSameValuesChangesNothing) {
  Accepted("P1");
  const std::string before = Snapshot();
  CliResult r = Op({"modify", "P1", "--duty", "88", "--merchant-customs-no", "123456"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "already has these values; nothing changed")) << r.out;
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(OperatorTest, ModifyBeforeAcceptanceChangesTheValuesTheDeclareSends) {
  CliResult r = Op({"modify", "P1", "--duty", "7"});  // still waiting to be submitted
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Rec("P1").phase, Phase::kSubmit);
  EXPECT_EQ(Rec("P1").fields.duty, 7);
  EXPECT_TRUE(Has(r.out, "modify: 1 declaration changed before declaring")) << r.out;

  Move("P2", {.phase = Phase::kAttention, .last_error_code = "PARAM_ERROR"});  // refused
  r = Op({"modify", "P2", "--merchant-customs-no", "FIXED"});
  ASSERT_EQ(r.code, 0) << r.err;
  DeclarationRecord p2 = Rec("P2");
  EXPECT_EQ(p2.phase, Phase::kSubmit);
  EXPECT_EQ(p2.fields.merchant_customs_no, "FIXED");
  EXPECT_EQ(p2.next_attempt_at, Now());
  EXPECT_EQ(LastEvent("P2").kind, "operator_modify");
}

TEST_F(OperatorTest, ModifyRefusesWhileAnEarlierDeclareMayHaveArrived) {
  Move("P1", {.phase = Phase::kAttention, .check_first = true});
  const std::string before = Snapshot();
  CliResult r = Op({"modify", "P1", "--duty", "7"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.err, "may have reached WeChat")) << r.err;
  EXPECT_EQ(Snapshot(), before);
}

// --- lost races ----------------------------------------------------------------------------

TEST_F(OperatorTest, AFieldUpdateWithAStaleGuardChangesNothing) {
  DeclarationRecord seen = Rec("P1");
  Accepted("P1");  // the daemon got there first
  const std::string before = Snapshot();
  DeclarationFields fields = seen.fields;
  fields.duty = 1;
  Status s = UpdateFieldsAndTransition(*db_, Now(), seen.id, GuardOf(seen), fields,
                                       {.phase = Phase::kModify}, {.kind = "operator_modify"});
  EXPECT_EQ(s.code(), StatusCode::kConflict) << s.message();
  EXPECT_EQ(Snapshot(), before);

  DeclarationRecord fresh = Rec("P1");
  s = UpdateFieldsAndTransition(*db_, Now(), fresh.id, GuardOf(fresh), fields,
                                {.phase = Phase::kModify}, {.kind = "operator_modify"});
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Rec("P1").fields.duty, 1);
  // The fields' update and the transition each bump it (migration 0007 reads an update that
  // leaves it alone as a hand edit).
  EXPECT_EQ(Rec("P1").version, fresh.version + 2);
  EXPECT_EQ(LastEvent("P1").kind, "operator_modify");
}

TEST_F(OperatorTest, AFieldUpdateCannotChangeTheKeyOrIdentity) {
  DeclarationRecord r = Rec("P1");
  const std::string before = Snapshot();
  DeclarationFields fields = r.fields;
  fields.transaction_id = "1";
  Status s = UpdateFieldsAndTransition(*db_, Now(), r.id, GuardOf(r), fields,
                                       {.phase = Phase::kModify}, {.kind = "operator_modify"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << s.message();
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(OperatorTest, ADeclarationChangedMeanwhileIsReportedAndTheOthersStillChange) {
  DeclarationRecord stale = Rec("P1");
  DeclarationRecord fresh = Rec("P2");
  Accepted("P1");  // the daemon moved P1 after the command selected it
  Planner to_attention = [&](const DeclarationRecord&) {
    OperatorPlan p;
    p.update.phase = Phase::kAttention;
    p.event.kind = "operator_test";
    return p;
  };
  std::istringstream in;
  std::ostringstream out, err;
  CommandEnv env{in, out, err, clock_, install_.config_path()};
  SelectorOptions opt;
  opt.yes = true;
  int code = ApplyPlans(env, *db_, {stale, fresh}, to_attention, opt, {"test", "done", "would"});
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(Has(err.str(), "1230000109/P1/-/SHANGHAI_ZS (id " + std::to_string(stale.id) +
                                 "): changed meanwhile; run the command again"))
      << err.str();
  EXPECT_TRUE(Has(out.str(), "test: 1 declaration done, 1 changed meanwhile")) << out.str();
  EXPECT_EQ(Rec("P1").phase, Phase::kPoll);
  EXPECT_NE(LastEvent("P1").kind, "operator_test");
  EXPECT_EQ(Rec("P2").phase, Phase::kAttention);
  EXPECT_EQ(LastEvent("P2").kind, "operator_test");
}

}  // namespace
}  // namespace customsd
