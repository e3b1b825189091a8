// What the engine asks the store for: the due work, oldest due first, without the declarations
// it is already running.
#include <gtest/gtest.h>

#include <vector>

#include "tests/storage/store_fixture.h"

namespace customsd {
namespace {

using testing::PlainOrder;
class DueWork : public testing::StoreTest {
 protected:
  // A declaration in poll phase, due at `at`.
  int64_t DueAt(const std::string& order, int64_t at, Phase phase = Phase::kPoll) {
    DeclarationRecord r = AddOne(PlainOrder(order));
    EXPECT_TRUE(store_
                    .Transition(r.id, GuardOf(r),
                                {.state = State::kProcessing, .phase = phase, .next_attempt_at = at},
                                {.kind = "test"})
                    .ok());
    return r.id;
  }

  std::vector<int64_t> Ids(int64_t now, int limit, const std::set<int64_t>& skip = {}) {
    auto due = store_.Due(now, limit, skip);
    EXPECT_TRUE(due.ok()) << due.status().message();
    std::vector<int64_t> ids;
    for (const DeclarationRecord& r : *due) ids.push_back(r.id);
    return ids;
  }
};

TEST_F(DueWork, IsTheUnfinishedDueDeclarationsOldestDueFirst) {
  const int64_t b = DueAt("B", 2000);
  const int64_t a = DueAt("A", 1000);
  DueAt("later", 9000);
  DueAt("finished", 500, Phase::kDone);
  EXPECT_EQ(Ids(5000, 10), (std::vector<int64_t>{a, b}));
  EXPECT_EQ(Ids(5000, 1), (std::vector<int64_t>{a}));
  auto next = store_.NextDueAt();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(**next, 1000);
}

TEST_F(DueWork, PassesOverTheSkippedOnesAndStillFillsTheLimit) {
  const int64_t a = DueAt("A", 1000);
  const int64_t b = DueAt("B", 2000);
  const int64_t c = DueAt("C", 3000);
  const int64_t d = DueAt("D", 4000);
  EXPECT_EQ(Ids(5000, 2, {a, c}), (std::vector<int64_t>{b, d}));
  EXPECT_EQ(Ids(5000, 10, {a, b, c, d}), (std::vector<int64_t>{}));
  EXPECT_EQ(Ids(5000, 10, {999}), (std::vector<int64_t>{a, b, c, d}));
}

}  // namespace
}  // namespace customsd
