#include "daemon/workflow/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace customsd {

TokenBucket::TokenBucket(double rate_per_second, double burst)
    : full_rate_(rate_per_second), burst_(std::max(1.0, burst)), rate_(rate_per_second),
      tokens_(std::max(1.0, burst)) {}

void TokenBucket::Refill(int64_t now_ms) {
  if (last_ms_ < 0) last_ms_ = now_ms;
  if (now_ms > last_ms_) {
    const double elapsed = static_cast<double>(now_ms - last_ms_);
    tokens_ = std::min(burst_, tokens_ + rate_ * elapsed / 1000.0);
    if (rate_ < full_rate_) {
      rate_ = std::min(full_rate_, rate_ + full_rate_ * elapsed / static_cast<double>(cool_down_ms_));
    }
    last_ms_ = now_ms;
  }
}

std::chrono::milliseconds TokenBucket::Reserve(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Refill(now_ms);
  tokens_ -= 1.0;  // may go negative: a reservation against future tokens
  if (tokens_ >= 0.0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(-tokens_ / rate_ * 1000.0)));
}

void TokenBucket::SlowDown(int64_t now_ms, std::chrono::milliseconds cool_down) {
  std::lock_guard<std::mutex> lock(mu_);
  Refill(now_ms);
  cool_down_ms_ = std::max<int64_t>(1, cool_down.count());
  if (last_slowdown_ms_ >= 0 && now_ms - last_slowdown_ms_ < 1000) return;
  last_slowdown_ms_ = now_ms;
  const double floor = std::max(1.0, full_rate_ / 10.0);
  rate_ = std::max(std::min(floor, full_rate_), rate_ / 2.0);
}

double TokenBucket::rate(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Refill(now_ms);
  return rate_;
}

}  // namespace customsd
