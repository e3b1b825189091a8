#include "daemon/commands/time_flag.h"

#include "common/time_format.h"

namespace customsd {

StatusOr<int64_t> ParseTimeFlag(const std::string& flag, const std::string& text) {
  if (auto t = ParseRfc3339(text)) return *t;
  if (text.size() == 10) {
    if (auto t = ParseRfc3339(text + "T00:00:00Z")) return *t;
  }
  return Status::InvalidInput(flag + ": '" + text +
                              "' is not a date (2026-12-05) or an RFC 3339 time "
                              "(2026-12-05T08:00:00+08:00)");
}

}  // namespace customsd
