// The clock seam. Everything in customsd that reads the time takes a Clock&, so tests can use
// FakeClock and advance time instead of waiting.
//
// Thread safety: SystemClock is safe to share; FakeClock is safe to read from several threads
// while one thread advances it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace customsd {

using TimePoint = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_ms_(ToUnixMillis(start)) {}
  TimePoint Now() const override { return TimePoint(Millis(now_ms_.load())); }
  void Advance(Millis by) { now_ms_ += by.count(); }
  void Set(TimePoint t) { now_ms_ = ToUnixMillis(t); }

  static int64_t ToUnixMillis(TimePoint t) {
    return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  }

 private:
  std::atomic<int64_t> now_ms_;
};

// Unix milliseconds: the form every time takes in the database.
inline int64_t UnixMillis(TimePoint t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}
inline TimePoint FromUnixMillis(int64_t ms) { return TimePoint(Millis(ms)); }

}  // namespace customsd
