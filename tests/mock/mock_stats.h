// What tests assert on: per-order counters (with each record's current state) and, per
// endpoint, calls, statuses, sign errors and injected faults. A snapshot: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "tests/mock/mock_faults.h"
#include "tests/mock/mock_orders.h"

namespace customsd::mock {

// Names used in MockStats::endpoints.
enum class Endpoint {
  kDeclare,
  kQuery,
  kModify,
  kRedeclare,
  kVerifyCertificate,
  kCertificates,
  kUnknown
};
std::string_view ToString(Endpoint e);

struct EndpointStats {
  int64_t calls = 0;                      // every request routed here, including refused ones
  int64_t sign_errors = 0;                // 401 SIGN_ERROR answers
  std::map<int, int64_t> statuses;        // HTTP status -> responses (before spoiling)
  std::map<std::string, int64_t> faults;  // ToString(FaultKind) -> times injected

  int64_t Faults(FaultKind kind) const {
    auto it = faults.find(std::string(ToString(kind)));
    return it == faults.end() ? 0 : it->second;
  }
};

struct MockStats {
  std::map<std::string, OrderSnapshot> orders;     // by DeclarationKey::ToString()
  std::map<std::string, EndpointStats> endpoints;  // by ToString(Endpoint)
  int64_t connections = 0;                          // see MockServer::Stats()

  const OrderCounters& Counters(const std::string& key) const;  // zeros when unknown
  const EndpointStats& Of(Endpoint e) const;                    // zeros when never called
  int64_t TotalFaults(FaultKind kind) const;
  std::string ToJson() const;
};

}  // namespace customsd::mock
