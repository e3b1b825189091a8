#include "common/declaration_state.h"

#include <gtest/gtest.h>

namespace customsd {
namespace {

TEST(DeclarationStateTest, EveryStateAndPhaseRoundTripsThroughItsName) {
  for (State s : {State::kUndeclared, State::kSubmitted, State::kProcessing, State::kSuccess,
                  State::kFail, State::kExcept}) {
    EXPECT_EQ(ParseState(ToString(s)), s);
  }
  for (Phase p : {Phase::kSubmit, Phase::kPoll, Phase::kModify, Phase::kRedeclare, Phase::kDone,
                  Phase::kAttention}) {
    EXPECT_EQ(ParsePhase(ToString(p)), p);
  }
}

TEST(DeclarationStateTest, NamesAreExactAndCaseSensitive) {
  EXPECT_EQ(ParseState("success"), std::nullopt);
  EXPECT_EQ(ParseState("SUCCESS "), std::nullopt);
  EXPECT_EQ(ParsePhase("POLL"), std::nullopt);
  EXPECT_EQ(ToString(State::kExcept), "EXCEPT");
  EXPECT_EQ(ToString(Phase::kAttention), "attention");
}

TEST(DeclarationStateTest, OnlyWorkPhasesAreActive) {
  EXPECT_TRUE(IsActive(Phase::kSubmit));
  EXPECT_TRUE(IsActive(Phase::kRedeclare));
  EXPECT_FALSE(IsActive(Phase::kDone));
  EXPECT_FALSE(IsActive(Phase::kAttention));
}

}  // namespace
}  // namespace customsd
