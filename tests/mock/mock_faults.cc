#include "tests/mock/mock_faults.h"

namespace customsd::mock {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;

void Mix(uint64_t* h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    *h ^= c;
    *h *= kFnvPrime;
  }
  // A separator that no byte string can produce, so ("ab","c") and ("a","bc") differ.
  for (int i = 0; i < 8; ++i) {
    *h ^= (bytes.size() >> (8 * i)) & 0xFF;
    *h *= kFnvPrime;
  }
}

void MixNumber(uint64_t* h, uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  Mix(h, std::string_view(bytes, sizeof(bytes)));
}

// splitmix64's finaliser: FNV's low bits are weak on their own.
uint64_t Finalise(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

std::string_view ToString(FaultKind kind) {
  switch (kind) {
    case FaultKind::kNone:
      return "none";
    case FaultKind::kSystemError:
      return "systemerror";
    case FaultKind::kRateLimited:
      return "frequency_limited";
    case FaultKind::kUnavailable:
      return "service_unavailable";
    case FaultKind::kHang:
      return "hang";
    case FaultKind::kReset:
      return "reset";
    case FaultKind::kTruncate:
      return "truncate";
    case FaultKind::kBadSignature:
      return "bad_signature";
    case FaultKind::kNoSignature:
      return "no_signature";
    case FaultKind::kSignTest:
      return "signtest";
  }
  return "none";
}

double SeededDraw(uint64_t seed, std::string_view domain, std::string_view key, uint64_t n) {
  uint64_t h = kFnvOffset;
  MixNumber(&h, seed);
  Mix(&h, domain);
  Mix(&h, key);
  MixNumber(&h, n);
  // The top 53 bits make an exactly representable double in [0, 1).
  return static_cast<double>(Finalise(h) >> 11) * 0x1.0p-53;
}

FaultKind DecideFault(const FaultRates& rates, uint64_t seed, std::string_view endpoint,
                      std::string_view order_key, uint64_t n) {
  if (rates.Total() <= 0) return FaultKind::kNone;
  const double u = SeededDraw(seed, endpoint, order_key, n);
  const std::array<std::pair<double, FaultKind>, 9> table = {{
      {rates.system_error, FaultKind::kSystemError},
      {rates.rate_limited, FaultKind::kRateLimited},
      {rates.unavailable, FaultKind::kUnavailable},
      {rates.hang, FaultKind::kHang},
      {rates.reset, FaultKind::kReset},
      {rates.truncate, FaultKind::kTruncate},
      {rates.bad_signature, FaultKind::kBadSignature},
      {rates.no_signature, FaultKind::kNoSignature},
      {rates.sign_test, FaultKind::kSignTest},
  }};
  double edge = 0;
  for (const auto& [rate, kind] : table) {
    edge += rate;
    if (u < edge) return kind;
  }
  return FaultKind::kNone;
}

FaultKind FaultInjector::Next(std::string_view endpoint, std::string_view order_key, bool exempt,
                              uint64_t* n_out) {
  uint64_t n = 0;
  FaultRates rates;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = counts_[{std::string(endpoint), std::string(order_key)}]++;
    rates = rates_;
  }
  if (n_out != nullptr) *n_out = n;
  if (exempt) return FaultKind::kNone;
  return DecideFault(rates, seed_, endpoint, order_key, n);
}

void FaultInjector::SetRates(const FaultRates& rates) {
  std::lock_guard<std::mutex> lock(mu_);
  rates_ = rates;
}

FaultRates FaultInjector::rates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rates_;
}

}  // namespace customsd::mock
