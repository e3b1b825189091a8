// CustomsClient: the customs endpoints of WeChat Pay Global for one merchant.
//
// Each call returns an ApiResult: the typed answer when the outcome is kOk, else the outcome
// class with WeChat's status, code, message and Request-ID (see api_outcome.h). A body that
// does not parse as the expected answer is kUnknown, never kOk. Bodies are built with fields in
// the API's order, so the same declaration always produces the same bytes.
//
// Thread safety: all methods may be called from many threads at once.
#pragma once

#include <cstddef>
#include <string>

#include "common/declaration.h"
#include "wechatpay/api_caller.h"
#include "wechatpay/customs_types.h"

namespace customsd {

// Bounds on one Query: far beyond any real order (a handful of sub-orders), low enough that a
// server that miscounts cannot keep the client asking.
inline constexpr int kMaxQueryPages = 50;
inline constexpr size_t kMaxQueryRecords = 1000;

class CustomsClient {
 public:
  explicit CustomsClient(ApiCaller& caller) : caller_(caller) {}

  // POST {prefix}/customs/orders
  ApiResult<DeclarationStatus> Declare(const DeclarationFields& d);
  // GET {prefix}/customs/orders. Pages by the answer, not by the question: the next page starts
  // at the answered offset + len(data), and paging goes on while that is below total_count,
  // however short a page the server chose to send (its `limit` is its own). A page that brings
  // no new record, an offset that does not move forward, or more than kMaxQueryPages pages ends
  // paging with what was read and `complete` false. total_count 0 (or an empty data[] with no
  // count) is kNotFound; a positive total_count with no record listed is kRetry. `state` is
  // returned upper-cased, whatever casing the answer used.
  ApiResult<QueryResult> Query(const QueryParams& q);
  // PATCH {prefix}/customs/orders
  ApiResult<DeclarationStatus> Modify(const ModifyRequest& m);
  // POST {prefix}/customs/redeclare
  ApiResult<DeclarationStatus> Redeclare(const RedeclareRequest& r);
  // POST {prefix}/customs/verify-certificate. The identity is encrypted for the trusted
  // platform key, the one whose serial goes out as Wechatpay-Serial; kRetry when no platform
  // key is known yet.
  ApiResult<VerifyCertificateResult> VerifyCertificate(const VerifyCertificateRequest& v);

  // The JSON body Declare sends.
  static std::string DeclareBody(const DeclarationFields& d);

 private:
  ApiCaller& caller_;
};

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view s);

}  // namespace customsd
