// Backoff delays, computed without waiting: the caller adds them to the clock's now.
//
// Retries use exponential backoff with *full* jitter (a uniform draw in [0, cap]) so that many
// declarations that failed together do not retry together. Polls use *equal* jitter (a draw in
// [cap/2, cap]): a poll has nothing to back off from, it only must not all land at once, and a
// poll delay near zero would waste a request.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace customsd {

// One backoff schedule, as the config's [workflow.*] and [alerts] tables give it.
struct BackoffConfig {
  std::chrono::milliseconds initial_interval;
  std::chrono::milliseconds max_interval;
  double multiplier;
};

// The source of randomness, injectable so tests can pin it.
class Random {
 public:
  virtual ~Random() = default;
  // Uniform in [0, 1).
  virtual double Uniform() = 0;
};

class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  double Uniform() override { return dist_(engine_); }

 private:
  std::mt19937_64 engine_;
  std::uniform_real_distribution<double> dist_{0.0, 1.0};
};

// min(max_interval, initial_interval * multiplier^(attempt-1)); attempt counts from 1.
std::chrono::milliseconds BackoffCap(const BackoffConfig& b, int attempt);

std::chrono::milliseconds FullJitter(const BackoffConfig& b, int attempt, Random& random);
std::chrono::milliseconds EqualJitter(const BackoffConfig& b, int attempt, Random& random);

}  // namespace customsd
