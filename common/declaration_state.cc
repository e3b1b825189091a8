#include "common/declaration_state.h"

#include <array>
#include <utility>

namespace customsd {
namespace {

constexpr std::array<std::pair<State, std::string_view>, 6> kStates = {{
    {State::kUndeclared, "UNDECLARED"},
    {State::kSubmitted, "SUBMITTED"},
    {State::kProcessing, "PROCESSING"},
    {State::kSuccess, "SUCCESS"},
    {State::kFail, "FAIL"},
    {State::kExcept, "EXCEPT"},
}};

constexpr std::array<std::pair<Phase, std::string_view>, 7> kPhases = {{
    {Phase::kSubmit, "submit"},
    {Phase::kPoll, "poll"},
    {Phase::kModify, "modify"},
    {Phase::kRedeclare, "redeclare"},
    {Phase::kDone, "done"},
    {Phase::kAttention, "attention"},
    {Phase::kCancelled, "cancelled"},
}};

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";
}

template <typename E, size_t N>
std::optional<E> ValueOf(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view ToString(State s) { return NameOf(kStates, s); }
std::string_view ToString(Phase p) { return NameOf(kPhases, p); }
std::optional<State> ParseState(std::string_view text) { return ValueOf(kStates, text); }
std::optional<Phase> ParsePhase(std::string_view text) { return ValueOf(kPhases, text); }

}  // namespace customsd
