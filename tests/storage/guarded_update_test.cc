// Every change of state or phase names what it expects; a writer that lost the race must not
// change anything, not even the event history.
#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"

namespace customsd {
namespace {

using testing::PlainOrder;
using GuardedUpdateTest = testing::StoreTest;

TEST_F(GuardedUpdateTest, ATransitionUpdatesTheRowAndWritesItsEventTogether) {
  DeclarationRecord r = AddOne(PlainOrder("A"));
  clock_.Advance(std::chrono::seconds(3));
  Status s = store_.Transition(
      r.id, GuardOf(r),
      {.state = State::kProcessing, .phase = Phase::kPoll, .attempts = 1,
       .next_attempt_at = 42, .sub_order_id = "W1", .last_error_code = "",
       .last_error_message = "", .last_http_status = std::optional<int>()},
      {.kind = "submitted", .http_status = 200, .request_id = "req-1"});
  ASSERT_TRUE(s.ok()) << s.message();
  DeclarationRecord after = *store_.Get(r.id);
  EXPECT_EQ(after.state, State::kProcessing);
  EXPECT_EQ(after.phase, Phase::kPoll);
  EXPECT_EQ(after.attempts, 1);
  EXPECT_EQ(after.next_attempt_at, 42);
  EXPECT_EQ(after.sub_order_id, "W1");
  EXPECT_EQ(after.version, r.version + 1);
  EXPECT_EQ(after.updated_at, r.updated_at + 3000);

  auto events = *store_.Events(r.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, "submitted");
  EXPECT_EQ(events[1].from_state, State::kUndeclared);
  EXPECT_EQ(events[1].to_state, State::kProcessing);
  EXPECT_EQ(events[1].from_phase, Phase::kSubmit);
  EXPECT_EQ(events[1].to_phase, Phase::kPoll);
  EXPECT_EQ(events[1].http_status, 200);
  EXPECT_EQ(events[1].request_id, "req-1");
}

TEST_F(GuardedUpdateTest, AWriterThatLostTheRaceChangesNothing) {
  DeclarationRecord r = AddOne(PlainOrder("A"));
  // A second connection, as another process would have.
  auto other_db = testing::OpenMigrated(dir_.File("customsd.db"));
  DeclarationStore other(*other_db, clock_);
  DeclarationRecord seen_by_other = *other.Get(r.id);

  ASSERT_TRUE(store_
                  .Transition(r.id, GuardOf(r), {.state = State::kProcessing, .phase = Phase::kPoll},
                              {.kind = "submitted"})
                  .ok());
  Status lost = other.Transition(seen_by_other.id, GuardOf(seen_by_other),
                                 {.phase = Phase::kAttention, .last_error_code = "X"},
                                 {.kind = "refused"});
  EXPECT_EQ(lost.code(), StatusCode::kConflict);

  DeclarationRecord after = *store_.Get(r.id);
  EXPECT_EQ(after.phase, Phase::kPoll);
  EXPECT_EQ(after.last_error_code, "");
  EXPECT_EQ(after.version, r.version + 1);
  auto events = *store_.Events(r.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events.back().kind, "submitted");
}

TEST_F(GuardedUpdateTest, AnUnexpectedStateOrPhaseIsRefusedEvenAtTheRightVersion) {
  DeclarationRecord r = AddOne(PlainOrder("A"));
  Guard wrong_state{State::kProcessing, r.phase, r.version};
  EXPECT_EQ(store_.Transition(r.id, wrong_state, {.phase = Phase::kDone}, {.kind = "x"}).code(),
            StatusCode::kConflict);
  Guard wrong_phase{r.state, Phase::kPoll, r.version};
  EXPECT_EQ(store_.Transition(r.id, wrong_phase, {.phase = Phase::kDone}, {.kind = "x"}).code(),
            StatusCode::kConflict);
  EXPECT_EQ(store_.Get(r.id)->version, r.version);
  EXPECT_EQ(store_.Events(r.id)->size(), 1u);
}

TEST_F(GuardedUpdateTest, AnUnknownDeclarationIsAConflictNotACrash) {
  Guard g{State::kUndeclared, Phase::kSubmit, 1};
  EXPECT_EQ(store_.Transition(9999, g, {.phase = Phase::kDone}, {.kind = "x"}).code(),
            StatusCode::kConflict);
}

TEST_F(GuardedUpdateTest, AnEmptyErrorCodeClearsTheLastError) {
  DeclarationRecord r = AddOne(PlainOrder("A"));
  ASSERT_TRUE(store_
                  .Transition(r.id, GuardOf(r),
                              {.last_error_code = "SYSTEMERROR", .last_error_message = "busy",
                               .last_http_status = std::optional<int>(500)},
                              {.kind = "retry"})
                  .ok());
  DeclarationRecord mid = *store_.Get(r.id);
  EXPECT_EQ(mid.last_error_code, "SYSTEMERROR");
  EXPECT_EQ(mid.last_http_status, 500);
  ASSERT_TRUE(store_
                  .Transition(mid.id, GuardOf(mid),
                              {.last_error_code = "", .last_error_message = "",
                               .last_http_status = std::optional<int>()},
                              {.kind = "submitted"})
                  .ok());
  DeclarationRecord after = *store_.Get(r.id);
  EXPECT_EQ(after.last_error_code, "");
  EXPECT_FALSE(after.last_http_status.has_value());
}

}  // namespace
}  // namespace customsd
