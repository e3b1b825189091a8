// A declaration's state (what WeChat Pay last reported) and phase (what customsd does next).
// The spellings are the ones stored in the database and shown to operators.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace customsd {

enum class State { kUndeclared, kSubmitted, kProcessing, kSuccess, kFail, kExcept };
// Every state, in enum order.
inline constexpr std::array<State, 6> kAllStates = {State::kUndeclared, State::kSubmitted,
                                                    State::kProcessing, State::kSuccess,
                                                    State::kFail,       State::kExcept};
// kCancelled: taken out of the workflow by an operator (`customsd cancel`, e.g. a refunded
// order), kept with its history; customsd does nothing more with it.
enum class Phase { kSubmit, kPoll, kModify, kRedeclare, kDone, kAttention, kCancelled };
// Every phase, in enum order (metrics index series by it).
inline constexpr std::array<Phase, 7> kAllPhases = {Phase::kSubmit, Phase::kPoll,
                                                    Phase::kModify, Phase::kRedeclare,
                                                    Phase::kDone,   Phase::kAttention,
                                                    Phase::kCancelled};

std::string_view ToString(State s);
std::string_view ToString(Phase p);
std::optional<State> ParseState(std::string_view text);  // exact, upper case: "SUCCESS"
std::optional<Phase> ParsePhase(std::string_view text);  // exact, lower case: "poll"

// Phases in which customsd still has work to do (the ones the due index covers).
inline bool IsActive(Phase p) {
  return p == Phase::kSubmit || p == Phase::kPoll || p == Phase::kModify || p == Phase::kRedeclare;
}

}  // namespace customsd
