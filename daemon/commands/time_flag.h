// How --since and --until read a time, for every command that filters by one.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace customsd {

// "2026-12-05" (that day's midnight UTC) or RFC 3339 ("2026-12-05T08:00:00+08:00"): Unix ms.
// Anything else is kInvalidInput naming `flag`.
StatusOr<int64_t> ParseTimeFlag(const std::string& flag, const std::string& text);

}  // namespace customsd
