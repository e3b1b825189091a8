#include "storage/declaration_store.h"

#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"

namespace customsd {
namespace {

using testing::PlainOrder;
using testing::SplitOrder;
using DeclarationStoreTest = testing::StoreTest;

TEST_F(DeclarationStoreTest, AddStoresANewDeclarationReadyToSubmitWithACreatedEvent) {
  DeclarationFields f = PlainOrder("ORDER1");
  auto report = store_.Add({f});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->committed);
  EXPECT_EQ(report->results, std::vector<AddResult>{AddResult::kAdded});

  auto found = store_.Find(KeyOf(f));
  ASSERT_TRUE(found.ok() && found->has_value());
  const DeclarationRecord& r = **found;
  EXPECT_EQ(r.fields, f);
  EXPECT_EQ(r.state, State::kUndeclared);
  EXPECT_EQ(r.phase, Phase::kSubmit);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(r.next_attempt_at, UnixMillis(clock_.Now()));
  EXPECT_EQ(r.version, 1);

  auto events = store_.Events(r.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].kind, "created");
  EXPECT_EQ((*events)[0].to_phase, Phase::kSubmit);
}

TEST_F(DeclarationStoreTest, AddingAnIdenticalDeclarationAgainChangesNothing) {
  DeclarationRecord first = AddOne(PlainOrder("ORDER1"));
  clock_.Advance(std::chrono::minutes(5));
  auto report = store_.Add({PlainOrder("ORDER1")});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->committed);
  EXPECT_EQ(report->results, std::vector<AddResult>{AddResult::kAlreadyPresent});
  auto again = store_.Get(first.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, first.version);
  EXPECT_EQ(again->updated_at, first.updated_at);
  EXPECT_EQ(store_.Events(first.id)->size(), 1u);
}

TEST_F(DeclarationStoreTest, AConflictingRecordStoresNothingOfItsBatch) {
  AddOne(PlainOrder("ORDER1"));
  DeclarationFields changed = PlainOrder("ORDER1");
  changed.merchant_customs_no = "654321";
  auto report = store_.Add({PlainOrder("ORDER2"), changed, PlainOrder("ORDER3")});
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->committed);
  EXPECT_EQ(report->results, (std::vector<AddResult>{AddResult::kAdded, AddResult::kConflict,
                                                     AddResult::kAdded}));
  EXPECT_FALSE(store_.Find(KeyOf(PlainOrder("ORDER2")))->has_value());
  EXPECT_FALSE(store_.Find(KeyOf(PlainOrder("ORDER3")))->has_value());
  EXPECT_EQ(store_.Stats()->total, 1);
}

TEST_F(DeclarationStoreTest, SubOrdersOfOneOrderAreSeparateDeclarations) {
  auto report = store_.Add({SplitOrder("ORDER1", "SUB1"), SplitOrder("ORDER1", "SUB2")});
  ASSERT_TRUE(report.ok() && report->committed);
  ListFilter filter;
  filter.out_trade_no = "ORDER1";
  EXPECT_EQ(store_.List(filter)->size(), 2u);
  filter.sub_order_no = "SUB2";
  auto one = store_.List(filter);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].fields.product_fee, 800);
}

TEST_F(DeclarationStoreTest, TheSameOrderAtTwoCustomsIsTwoDeclarations) {
  auto report = store_.Add({PlainOrder("ORDER1", "SHANGHAI_ZS"), PlainOrder("ORDER1", "NINGBO")});
  ASSERT_TRUE(report.ok() && report->committed);
  EXPECT_EQ(store_.Stats()->total, 2);
}

TEST_F(DeclarationStoreTest, ListIsNewestFirstAndFilters) {
  AddOne(PlainOrder("A", "SHANGHAI_ZS"));
  AddOne(PlainOrder("B", "NINGBO"));
  DeclarationRecord c = AddOne(PlainOrder("C", "NINGBO"));
  ASSERT_TRUE(store_.Transition(c.id, GuardOf(c), {.phase = Phase::kAttention}, {.kind = "test"})
                  .ok());

  auto all = store_.List({});
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].fields.out_trade_no, "C");
  EXPECT_EQ((*all)[2].fields.out_trade_no, "A");

  EXPECT_EQ(store_.List({.customs = "NINGBO"})->size(), 2u);
  EXPECT_EQ(store_.List({.phase = Phase::kAttention})->size(), 1u);
  EXPECT_EQ(store_.List({.state = State::kSuccess})->size(), 0u);
  EXPECT_EQ(store_.List({.limit = 1})->size(), 1u);
}

TEST_F(DeclarationStoreTest, StatsCountByStateAndPhaseAndFindTheOldestUnfinished) {
  DeclarationRecord a = AddOne(PlainOrder("A"));
  clock_.Advance(std::chrono::hours(1));
  DeclarationRecord b = AddOne(PlainOrder("B"));
  ASSERT_TRUE(store_
                  .Transition(a.id, GuardOf(a), {.state = State::kSuccess, .phase = Phase::kDone},
                              {.kind = "polled"})
                  .ok());
  auto stats = store_.Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, 2);
  ASSERT_EQ(stats->counts.size(), 2u);
  EXPECT_EQ(stats->oldest_unfinished_created_at, b.created_at);
  EXPECT_EQ(stats->alerts_pending, 0);
}

TEST_F(DeclarationStoreTest, EventsCannotBeRewritten) {
  DeclarationRecord r = AddOne(PlainOrder("A"));
  EXPECT_THROW(db_->sqlite().exec("UPDATE events SET kind = 'forged'"), SQLite::Exception);
  EXPECT_THROW(db_->sqlite().exec("DELETE FROM events"), SQLite::Exception);
  EXPECT_EQ(store_.Events(r.id)->at(0).kind, "created");
}

}  // namespace
}  // namespace customsd
