// Fault decisions of the fake WeChat Pay server.
//
// Each decision is a pure function of (seed, endpoint, order key, n), n being how many requests
// for that order the endpoint has seen before this one. So a run is reproducible under one seed
// whatever the thread interleaving, and a test can predict every decision by calling DecideFault.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "tests/mock/mock_options.h"

namespace customsd::mock {

enum class FaultKind {
  kNone,
  // Answered instead of applying the request.
  kSystemError,  // 500 SYSTEMERROR
  kRateLimited,  // 429 FREQUENCY_LIMITED
  kUnavailable,  // 503 SERVICE_UNAVAILABLE
  // Applied first, then the answer is spoiled.
  kHang,
  kReset,
  kTruncate,
  kBadSignature,
  kNoSignature,
  kSignTest,
};

inline constexpr std::array<FaultKind, 9> kAllFaultKinds = {
    FaultKind::kSystemError,  FaultKind::kRateLimited, FaultKind::kUnavailable,
    FaultKind::kHang,         FaultKind::kReset,       FaultKind::kTruncate,
    FaultKind::kBadSignature, FaultKind::kNoSignature, FaultKind::kSignTest,
};

// "systemerror", "frequency_limited", "service_unavailable", "hang", "reset", "truncate",
// "bad_signature", "no_signature", "signtest" ("none" for kNone): the names in /mock/stats.
std::string_view ToString(FaultKind kind);

// True for the faults that answer without applying the request.
inline bool RefusesRequest(FaultKind kind) {
  return kind == FaultKind::kSystemError || kind == FaultKind::kRateLimited ||
         kind == FaultKind::kUnavailable;
}

// A uniform draw in [0, 1) from (seed, domain, key, n); stable across runs, builds and platforms
// (FNV-1a over the parts, then a splitmix64 finaliser).
double SeededDraw(uint64_t seed, std::string_view domain, std::string_view key, uint64_t n);

// One draw against the cumulative rates, in the order of FaultRates' fields.
FaultKind DecideFault(const FaultRates& rates, uint64_t seed, std::string_view endpoint,
                      std::string_view order_key, uint64_t n);

// Counts each order's requests per endpoint and decides their faults. Thread-safe.
class FaultInjector {
 public:
  FaultInjector(uint64_t seed, FaultRates rates) : seed_(seed), rates_(rates) {}

  // Counts this request and returns its fault (kNone when `exempt`; the request is still
  // counted, so exempting an endpoint does not shift the decisions of the others). `n_out`, when
  // given, receives the count before this request: the answer's other draws use it too.
  FaultKind Next(std::string_view endpoint, std::string_view order_key, bool exempt,
                 uint64_t* n_out = nullptr);

  void SetRates(const FaultRates& rates);
  FaultRates rates() const;

 private:
  const uint64_t seed_;
  mutable std::mutex mu_;
  FaultRates rates_;
  std::map<std::pair<std::string, std::string>, uint64_t, std::less<>> counts_;
};

}  // namespace customsd::mock
