#include "common/time_format.h"

#include <algorithm>
#include <cstdio>
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

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  int y, mo, d, h, mi, s, consumed = 0;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s,
                  &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::string_view rest = text.substr(19);
  int64_t millis = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    int64_t scale = 100;
    for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i, scale /= 10) {
      millis += (rest[i] - '0') * scale;
    }
    if (i == 1) return std::nullopt;
    rest = rest.substr(i);
  }
  int64_t offset_s = 0;
  if (rest == "Z" || rest == "z") {
    offset_s = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0, om = 0;
    std::string off(rest.substr(1));
    if (std::sscanf(off.c_str(), "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_s = (rest[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const int64_t utc = static_cast<int64_t>(timegm(&tm)) - offset_s;
  return utc * 1000 + millis;
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
