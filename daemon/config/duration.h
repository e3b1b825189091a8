// Durations as they appear in customsd.toml: a string of <digits><unit> parts, e.g. "250ms",
// "30s", "5m", "2h", "3d", "1h30m".
//
// Contract:
//  - Units are ms, s, m, h, d. A compound value lists each unit at most once, largest first
//    ("1h30m", not "30m1h"), so every value has one obvious reading.
//  - No spaces, no sign, no fractions ("1.5h" is refused; write "1h30m"). "0s" parses to zero;
//    whether zero is allowed is the caller's decision.
//  - Error messages quote the text and say what is wrong, but never name a config key: the
//    caller prefixes the key ("poll.deadline: ...").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace customsd {

StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The inverse of ParseDuration for non-negative values, using h, m, s and ms (never d, so the
// default deadline prints as "72h" like in the documentation): 5400000ms -> "1h30m",
// 1500ms -> "1s500ms", 0 -> "0s". A negative value gets a leading '-' (never parseable).
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace customsd
