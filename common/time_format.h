// Times as people read them: RFC 3339 UTC and short ages ("3h12m").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace customsd {

// 1700000000123 -> "2023-11-14T22:13:20Z" (whole seconds; the database keeps the milliseconds).
std::string FormatRfc3339(int64_t unix_ms);

// "2015-09-01T10:00:00+08:00", "2024-01-01T00:00:00Z" (fractions of a second allowed) -> Unix
// ms; nullopt when malformed.
std::optional<int64_t> ParseRfc3339(std::string_view text);

// A non-negative age, two units at most: "45s", "12m5s", "3h12m", "2d4h".
std::string FormatAge(std::chrono::milliseconds age);

}  // namespace customsd
