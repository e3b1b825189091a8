#include "common/time_format.h"

#include <algorithm>
#include <ctime>

namespace customsd {

std::string FormatRfc3339(int64_t unix_ms) {
  // Floor division, so times before 1970 still land on the right second.
  int64_t seconds = unix_ms / 1000 - (unix_ms % 1000 < 0 ? 1 : 0);
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatAge(std::chrono::milliseconds age) {
  int64_t s = std::max<int64_t>(0, age.count() / 1000);
  struct Unit {
    int64_t seconds;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  std::string out;
  int shown = 0;
  for (const Unit& u : kUnits) {
    int64_t n = s / u.seconds;
    s %= u.seconds;
    if (n == 0 && shown == 0) continue;
    if (n != 0) out += std::to_string(n) + u.suffix;
    if (++shown == 2) break;
  }
  return out.empty() ? "0s" : out;
}

}  // namespace customsd
