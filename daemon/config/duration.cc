#include "daemon/config/duration.h"

#include <cstdint>
#include <limits>

#include "common/text.h"

namespace customsd {
namespace {

struct Unit {
  std::string_view name;
  int64_t millis;
};

// Largest first: the order a compound duration must follow.
constexpr Unit kUnits[] = {
    {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1},
};
constexpr int kNumUnits = sizeof(kUnits) / sizeof(kUnits[0]);

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Invalid(std::string_view text, std::string_view why) {
  return Status::InvalidInput("invalid duration " + QuoteForMessage(text) + ": " +
                              std::string(why));
}

}  // namespace

StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) {
    return Status::InvalidInput("empty duration (expected e.g. \"30s\")");
  }
  if (text[0] == '-' || text[0] == '+') {
    return Invalid(text, "a sign is not allowed");
  }
  constexpr std::string_view kUnitList = "use ms, s, m, h or d";

  int64_t total = 0;
  int next_unit = 0;  // index into kUnits of the largest unit still allowed
  size_t i = 0;
  while (i < text.size()) {
    const size_t digits_start = i;
    int64_t number = 0;
    bool overflow = false;
    while (i < text.size() && IsDigit(text[i])) {
      const int digit = text[i] - '0';
      if (number > (std::numeric_limits<int64_t>::max() - digit) / 10) {
        overflow = true;
      }
      if (!overflow) {
        number = number * 10 + digit;
      }
      ++i;
    }
    if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
      return Invalid(text, "fractions are not allowed (use smaller units, e.g. \"1h30m\")");
    }
    if (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
      return Invalid(text, "spaces are not allowed");
    }
    if (i == digits_start) {
      return Invalid(text, "expected a number followed by a unit, e.g. \"30s\"");
    }
    if (i == text.size()) {
      return Invalid(text, "missing unit after the number (" + std::string(kUnitList) + ")");
    }
    const size_t unit_start = i;
    while (i < text.size() && !IsDigit(text[i]) && text[i] != ' ' && text[i] != '.') {
      ++i;
    }
    const std::string_view unit_name = text.substr(unit_start, i - unit_start);
    int unit = -1;
    for (int u = 0; u < kNumUnits; ++u) {
      if (kUnits[u].name == unit_name) {
        unit = u;
      }
    }
    if (unit < 0) {
      return Invalid(
          text, "unknown unit " + QuoteForMessage(unit_name) + " (" + std::string(kUnitList) + ")");
    }
    if (unit < next_unit) {
      return Invalid(text, "units must appear once each, largest first (e.g. \"1h30m\")");
    }
    next_unit = unit + 1;
    if (overflow || number > std::numeric_limits<int64_t>::max() / kUnits[unit].millis) {
      return Invalid(text, "too large");
    }
    const int64_t part = number * kUnits[unit].millis;
    if (total > std::numeric_limits<int64_t>::max() - part) {
      return Invalid(text, "too large");
    }
    total += part;
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) {
    return "0s";
  }
  std::string out;
  // Unsigned so that the most negative value can still be printed.
  uint64_t rest = static_cast<uint64_t>(ms);
  if (ms < 0) {
    out = "-";
    rest = 0 - rest;
  }
  for (int u = 1; u < kNumUnits; ++u) {  // skip "d": hours read better in configs ("72h")
    const uint64_t unit = static_cast<uint64_t>(kUnits[u].millis);
    const uint64_t count = rest / unit;
    if (count == 0) {
      continue;
    }
    out += std::to_string(count);
    out += kUnits[u].name;
    rest -= count * unit;
  }
  return out;
}

}  // namespace customsd
