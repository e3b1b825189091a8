// The one list of phases with work left (storage/active_phases.h) is the one IsActive names,
// and the one the migrations' partial index declarations_due covers: a query that names it and
// names the index must agree with both, or the planner refuses the index or misses rows.
#include "storage/active_phases.h"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <string>

#include "common/declaration_state.h"
#include "tests/storage/store_fixture.h"

namespace customsd {
namespace {

TEST(ActivePhasesTest, AreThePhasesIsActiveNames) {
  std::string from_enum;
  for (Phase p : kAllPhases) {
    if (IsActive(p))
      from_enum += std::string(from_enum.empty() ? "('" : ", '") + std::string(ToString(p)) + "'";
  }
  EXPECT_EQ(from_enum + ")", CUSTOMSD_ACTIVE_PHASES);
}

class ActivePhasesIndexTest : public testing::StoreTest {};

TEST_F(ActivePhasesIndexTest, AreTheOnesTheDueIndexCovers) {
  const std::string index = db_->sqlite().execAndGet(
      "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'declarations_due'");
  EXPECT_NE(index.find("WHERE phase IN " CUSTOMSD_ACTIVE_PHASES), std::string::npos) << index;
}

}  // namespace
}  // namespace customsd
