// Hand edits with sqlite3 (issue 17), on declarations a run of the engine brought where they
// are: an edit through a connection of its own, with foreign keys off as sqlite3 has them.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "daemon/workflow/engine.h"
#include "tests/daemon/workflow/workflow_fixture.h"

namespace customsd {
namespace {

using std::chrono::seconds;
using testing::PlainOrder;

class HandEditTest : public testing::WorkflowTest {
 protected:
  // What an operator types into sqlite3.
  void ByHand(const std::string& sql) {
    SQLite::Database hand(dir_.File("customsd.db"), SQLite::OPEN_READWRITE);
    hand.exec(sql);
  }
  std::string HandError(const std::string& sql) {
    try {
      ByHand(sql);
    } catch (const SQLite::Exception& e) {
      return e.what();
    }
    return "";
  }
  std::vector<Event> EventsOf(const DeclarationRecord& r) { return *store_.Events(r.id); }

  DeclarationRecord Accepted(const std::string& order) {
    DeclarationRecord r = AddOne(PlainOrder(order));
    engine_->RunDueInline(gate_);
    r = Reload(r);
    EXPECT_EQ(r.phase, Phase::kPoll);
    return r;
  }
};

TEST_F(HandEditTest, AFieldChangedByHandBumpsTheVersionAndIsRecorded) {
  const DeclarationRecord r = Accepted("H1");
  ByHand("UPDATE declarations SET duty = 999 WHERE out_trade_no = 'H1'");
  const DeclarationRecord after = Reload(r);
  EXPECT_EQ(after.fields.duty, 999);
  EXPECT_EQ(after.version, r.version + 1);
  const std::vector<Event> events = EventsOf(r);  // a copy: back() of a temporary would dangle
  const Event& e = events.back();
  EXPECT_EQ(e.kind, "operator_edit");
  EXPECT_NE(e.message.find(" duty"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("merchant_customs_no"), std::string::npos) << e.message;
}

TEST_F(HandEditTest, AnAcceptedDeclarationPutBackToSubmitWithOtherContentIsNotSentAgain) {
  const DeclarationRecord r = Accepted("H2");
  ASSERT_EQ(wechat_.Count("declare"), 1);
  ByHand(
      "UPDATE declarations SET phase = 'submit', merchant_customs_no = 'HANDMADE', "
      "next_attempt_at = 0 WHERE out_trade_no = 'H2'");
  RunFor(seconds(10), 3);
  EXPECT_EQ(wechat_.Count("declare"), 1);  // before the fix: a second declare, other content
  const DeclarationRecord after = Reload(r);
  EXPECT_EQ(after.phase, Phase::kAttention);
  EXPECT_EQ(EventsOf(r).back().kind, "changed_since_accepted");
  EXPECT_NE(EventsOf(r).back().message.find("merchant_customs_no"), std::string::npos);
  EXPECT_EQ(AlertCount(), 1);

  // The same values WeChat accepted may go again (a hand reset alone sends nothing new).
  const DeclarationRecord same = Accepted("H3");
  ByHand(
      "UPDATE declarations SET phase = 'submit', next_attempt_at = 0 "
      "WHERE out_trade_no = 'H3'");
  RunFor(seconds(10), 2);
  EXPECT_NE(Reload(same).phase, Phase::kAttention);
}

TEST_F(HandEditTest, ADeclarationCannotBeDeletedLiveOrSettled) {
  const DeclarationRecord live = Accepted("H4");
  const size_t events = EventsOf(live).size();
  std::string refused = HandError("DELETE FROM declarations WHERE out_trade_no = 'H4'");
  EXPECT_NE(refused.find("customsd cancel"), std::string::npos) << refused;
  EXPECT_EQ(Reload(live).phase, Phase::kPoll);

  wechat_.SetState("H4", "", "SUCCESS");
  RunFor(seconds(30), 4);
  ASSERT_EQ(Reload(live).phase, Phase::kDone);
  refused = HandError("DELETE FROM declarations WHERE out_trade_no = 'H4'");
  EXPECT_NE(refused.find("kept with their history"), std::string::npos) << refused;
  EXPECT_GT(EventsOf(live).size(), events);  // and its events still have their declaration
}

TEST_F(HandEditTest, TheDaemonsOwnChangesAreNotTakenForHandEdits) {
  const DeclarationRecord r = Accepted("H5");
  wechat_.SetState("H5", "", "SUCCESS");
  RunFor(seconds(30), 4);
  for (const Event& e : EventsOf(r)) EXPECT_NE(e.kind, "operator_edit") << e.message;
  EXPECT_FALSE(Reload(r).accepted_content.empty());
}

}  // namespace
}  // namespace customsd
