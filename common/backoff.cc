#include "common/backoff.h"

#include <algorithm>
#include <cmath>

namespace customsd {

std::chrono::milliseconds BackoffCap(const BackoffConfig& b, int attempt) {
  const double initial = static_cast<double>(b.initial_interval.count());
  const double max = static_cast<double>(b.max_interval.count());
  // Computed in floating point and capped before converting, so a large attempt count cannot
  // overflow into a negative delay.
  const double raw = initial * std::pow(b.multiplier, std::max(0, attempt - 1));
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(raw, max)));
}

std::chrono::milliseconds FullJitter(const BackoffConfig& b, int attempt, Random& random) {
  const double cap = static_cast<double>(BackoffCap(b, attempt).count());
  return std::chrono::milliseconds(static_cast<int64_t>(cap * random.Uniform()));
}

std::chrono::milliseconds EqualJitter(const BackoffConfig& b, int attempt, Random& random) {
  const double cap = static_cast<double>(BackoffCap(b, attempt).count());
  return std::chrono::milliseconds(static_cast<int64_t>(cap / 2 + cap / 2 * random.Uniform()));
}

}  // namespace customsd
