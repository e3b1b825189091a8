// Every knob of the fake WeChat Pay server (wechatpay-mock). Plain data: the executable fills it
// from its flags, tests fill it directly.
//
// page_max and Freedoms make the mock use latitude WeChat's pages give the real server (short
// pages, optional fields left out, unknown fields, other spellings and texts). The mock was
// first built from what our client expects, so client and mock shared blind spots; these knobs
// (all off by default, all on with --strict-docs, see ApplyStrictDocs) let tests find them.
//
// Keys and certificates are held as PEM text (not paths) so tests can pass the vectors as read.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace customsd::mock {

// Probability (0..1) of each injected fault, per request to a prefixed API endpoint. At most one
// fault is chosen per request; the rates must add up to at most 1.
struct FaultRates {
  // Answered instead of applying the request (nothing changes on the server).
  double system_error = 0;  // 500 SYSTEMERROR
  double rate_limited = 0;  // 429 FREQUENCY_LIMITED
  double unavailable = 0;   // 503 SERVICE_UNAVAILABLE
  // The request IS applied first, then its answer is spoiled: the dangerous real-world case,
  // where the client cannot know that its request took effect.
  double hang = 0;           // answer only after MockOptions::hang (past the client timeout)
  double reset = 0;          // connection reset without any response byte
  double truncate = 0;       // Content-Length larger than the bytes sent, then close
  double bad_signature = 0;  // Wechatpay-Signature that does not verify
  double no_signature = 0;   // Wechatpay-Signature header left out
  double sign_test = 0;      // WECHATPAY/SIGNTEST/ probe signature (must always fail)

  double Total() const {
    return system_error + rate_limited + unavailable + hang + reset + truncate + bad_signature +
           no_signature + sign_test;
  }
};

// How a query for a declaration that does not exist is answered. WeChat has been seen to use
// all of these; a client must treat each as "not found".
enum class NotFoundStyle {
  kOrderNotExist404,      // 404 ORDER_NOT_EXIST
  kResourceNotExists404,  // 404 RESOURCE_NOT_EXISTS
  kInvalidRequest400,     // 400 INVALID_REQUEST "record does not exist"
  kEmptyData200,          // 200 with total_count 0 and an empty data[]
};

// A merchant API certificate the mock accepts request signatures from. Its serial (upper-case
// hex of the X.509 serial number) is what the Authorization header's serial_no must name.
struct MerchantCert {
  std::string cert_pem;
  // When set, the Authorization header's mchid must be this one; "" = any mchid.
  std::string mchid;
};

// A platform key pair: the mock signs responses with the private key and lists the certificate
// (encrypted with the APIv3 key) at /certificates.
struct PlatformIdentity {
  std::string key_pem;
  std::string cert_pem;
};

// What the docs allow a 2xx or error answer to be, beyond the mock's plain answer. Each choice
// is a seeded draw per answer (mock_freedoms.h), so a run reproduces under one seed.
struct Freedoms {
  // Leave out, each with probability 1/2, fields the docs mark optional or WeChat may not have:
  // data[] items' explanation, modify_time, sub_order_id, duty; declare/modify/re-push answers'
  // sub_order_id, explanation, modify_time, verify_department(_trade_id); the query's top-level
  // verify_department(_trade_id). Never state, total_count, data, offset, limit, sub_order_no.
  bool omit_optional = false;
  // Add unknown fields (APIv3 may add fields at any time) to 2xx bodies and their data[] items.
  bool extra_fields = false;
  // `state` as "SUCCESS", "success" or "Success".
  bool state_casing = false;
  // Error codes in each spelling pages use (SYSTEMERROR/SYSTEM_ERROR, ...); a third of the
  // SYSTEMERROR faults come with HTTP 400 instead of 500, as seen in practice.
  bool code_spellings = false;
  // Error messages as in the seed pages' error tables, English or Chinese.
  bool doc_messages = false;
};

struct MockOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = chosen by the OS; MockServer::Start returns it
  std::string prefix = "/v3/global";

  std::vector<MerchantCert> merchant_certs;
  // platforms[0] signs responses (MockServer::UsePlatform switches); all are listed at
  // /certificates, so a client can be tested across a platform certificate rotation.
  std::vector<PlatformIdentity> platforms;
  std::string apiv3_key;  // exactly 32 bytes

  bool https = false;
  std::string tls_cert_file;  // PEM paths, for httplib::SSLServer
  std::string tls_key_file;

  uint64_t seed = 1;

  // State progression UNDECLARED/SUBMITTED -> PROCESSING -> final. Each N-th query of a
  // declaration advances it one step (0 = queries never advance it) ...
  int advance_after_queries = 1;
  // ... and/or one step per this much time since acceptance or the last step (0 = off).
  std::chrono::milliseconds advance_after{0};

  // At most this many records per query page whatever `limit` asked (0 = no cap); the answer's
  // `limit` is then the server's own, min(asked, page_max), as the real server's is.
  int page_max = 0;
  Freedoms freedoms;

  NotFoundStyle not_found = NotFoundStyle::kOrderNotExist404;

  // Final states of declarations whose order numbers carry no marker (FAIL, EXCEPT, ...):
  // seeded draws, one per time the declaration settles.
  double mix_fail = 0;
  double mix_except = 0;

  // WeChat checks a declaration against its payment: one transaction_id belongs to one
  // out_trade_no. The mock has no payments, so it infers the binding from the first declare and
  // refuses a later declare that breaks it (400 INVALID_REQUEST). false: no such check, for test
  // data that reuses one transaction_id.
  bool bind_transaction_ids = true;

  // When set, every declare at this customs is refused with 403 NOAUTH ("the merchant has not
  // registered with the current customs") until POST /mock/register-customs (the merchant
  // registers): a refusal of the merchant at one customs that the order data cannot cause or
  // correct, unlike the NOAUTH marker in an order number.
  std::string noauth_customs;

  FaultRates faults;
  bool faults_on_certificates = true;  // false: GET {prefix}/certificates is never faulted
  std::chrono::milliseconds hang{30000};
  std::chrono::milliseconds latency{0};  // added to every API request

  // Allowed |request timestamp - mock clock|; WeChat allows 5 minutes.
  std::chrono::seconds max_clock_skew{300};

  // Server threads: a hung or keep-alive connection holds one.
  int threads = 32;
  // How long an idle keep-alive connection is kept open. Stop() waits for idle connections up
  // to this long, so tests that keep connections alive may want it short.
  int keep_alive_seconds = 5;
};

}  // namespace customsd::mock
