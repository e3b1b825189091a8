// CustomsClient: the customs endpoints of WeChat Pay Global for one merchant.
//
// Each call returns an ApiResult: the typed answer when the outcome is kOk, else the outcome
// class with WeChat's status, code, message and Request-ID (see api_outcome.h). A body that
// does not parse as the expected answer is kUnknown, never kOk. Bodies are built with fields in
// the API's order, so the same declaration always produces the same bytes.
//
// Thread safety: all methods may be called from many threads at once.
#pragma once

#include <string>

#include "common/declaration.h"
#include "wechatpay/api_caller.h"
#include "wechatpay/customs_types.h"

namespace customsd {

class CustomsClient {
 public:
  explicit CustomsClient(ApiCaller& caller) : caller_(caller) {}

  // POST {prefix}/customs/orders
  ApiResult<DeclarationStatus> Declare(const DeclarationFields& d);
  // GET {prefix}/customs/orders, following offset/limit pages until total_count. An empty
  // data[] is kNotFound.
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
