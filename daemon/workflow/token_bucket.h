// TokenBucket: at most `rate` requests per second across every merchant, with bursts up to
// `burst`. A 429 calls SlowDown(), which halves the rate (at most once a second, so a burst of
// 429s answering requests already in flight counts once; never below a tenth of the configured
// rate or 1/s); the rate then climbs back linearly to the configured one over `cool_down`.
// Time comes from the caller, so tests need no waiting.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace customsd {

class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst);

  // Takes a token if one is there (returns 0) or reserves the next one and returns how long to
  // wait before using it. Reservations queue fairly: each caller waits for its own token.
  std::chrono::milliseconds Reserve(int64_t now_ms);

  // A 429: halve the rate; it recovers over `cool_down`.
  void SlowDown(int64_t now_ms, std::chrono::milliseconds cool_down = std::chrono::seconds(30));

  double rate(int64_t now_ms);

 private:
  void Refill(int64_t now_ms);

  std::mutex mu_;
  const double full_rate_;
  const double burst_;
  double rate_;
  double tokens_;
  int64_t last_ms_ = -1;
  int64_t last_slowdown_ms_ = -1;
  int64_t cool_down_ms_ = 30'000;
};

}  // namespace customsd
