// MockServer: the fake WeChat Pay server (customs declaration APIs, APIv3 signing, platform
// certificates, state progression, fault injection) on cpp-httplib, over HTTP or HTTPS.
//
// Endpoints, under MockOptions::prefix (default /v3/global):
//   POST  {prefix}/customs/orders              declare
//   GET   {prefix}/customs/orders              query (paged; by out_trade_no returns every
//                                              sub-order of that order at that customs)
//   PATCH {prefix}/customs/orders              modify (-> SUBMITTED)
//   POST  {prefix}/customs/redeclare           re-push (only from SUCCESS or EXCEPT)
//   POST  {prefix}/customs/verify-certificate  identity check (needs Wechatpay-Serial)
//   GET   {prefix}/certificates                platform certificates, AES-256-GCM encrypted
// and, unsigned and outside the prefix, GET /mock/stats (MockStats as JSON).
//
// Every API response, errors included, carries Request-ID and is signed with the platform key
// (Wechatpay-Timestamp/-Nonce/-Signature/-Serial) unless a fault spoils it. Every API request
// must carry a valid Authorization (else 401 SIGN_ERROR). Anything else under any path:
// 404 NOT_FOUND (so a client with the wrong prefix fails loudly, not with "record not found").
//
// MockOptions::page_max and ::freedoms (mock_freedoms.h) shape answers before they are signed.
// Test hooks, for suites that need one exact answer: ScriptError (the next request to an
// endpoint gets a given error) and SetAnswerHook (edit every 2xx body before it is signed).
//
// Thread-safe. Stop() (or the destructor) ends hung requests at once.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "tests/mock/mock_auth.h"
#include "tests/mock/mock_faults.h"
#include "tests/mock/mock_options.h"
#include "tests/mock/mock_orders.h"
#include "tests/mock/mock_stats.h"

namespace customsd::mock {

class MockServer {
 public:
  // Parses the keys and certificates; kInvalidInput names what is wrong.
  static StatusOr<std::unique_ptr<MockServer>> Create(MockOptions options, const Clock& clock);
  ~MockServer();
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // Binds host:port (port 0: the OS picks), starts serving and returns the port. Connections
  // are accepted once this returns.
  StatusOr<int> Start();
  // Ends hangs and latency waits, stops accepting and joins the server threads. Idempotent.
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" or "https://..." (no trailing slash, no prefix).
  std::string base_url() const;
  const std::string& prefix() const { return options_.prefix; }
  const std::string& platform_serial() const { return signer_.current().cert.serial; }

  // connections: distinct client connections that carried at least one request outside
  // /mock/ (the API and unknown paths; a reader of /mock/stats is not counted), told apart by
  // the peer's address and port. httplib has no accept hook, so a connection is seen at its
  // first request; one whose peer port is reused after an earlier connection from it closed is
  // missed (ephemeral ports cycle only after tens of thousands of connections). Over HTTPS
  // each one is a TLS handshake.
  MockStats Stats();

  // Changes the fault rates from now on (e.g. a test declares cleanly, then turns faults on).
  void SetFaultRates(const FaultRates& rates) { faults_.SetRates(rates); }
  // Which configured platform key signs responses (certificate rotation tests).
  void UsePlatform(size_t index) { signer_.Use(index); }

  // The next request to `e` that passes authentication is answered with http_status and
  // {"code": code, "message": message}, signed like every answer, and is not applied (no fault
  // is decided, no counter moves, no freedom reshapes it). One-shot; several calls queue up.
  void ScriptError(Endpoint e, int http_status, std::string code, std::string message);
  // Called with every 2xx JSON body (after the freedoms) just before it is serialized and
  // signed, so a test can remove or alter a field and the answer still verifies. Called on the
  // server's threads, possibly at once; pass nullptr to remove it.
  using AnswerHook = std::function<void(Endpoint, nlohmann::ordered_json& body)>;
  void SetAnswerHook(AnswerHook hook);

 private:
  // An answer before shaping, signing and spoiling.
  struct Reply {
    int status = 200;
    std::string body;
    bool not_found = false;  // it means "no such record" (for doc_messages and spellings)
    bool verbatim = false;   // scripted: sent exactly as it is
  };
  // What was decided for one request; the freedoms' draws use the same key and count.
  struct Decision {
    FaultKind fault = FaultKind::kNone;
    std::string order_key;
    uint64_t n = 0;  // requests the endpoint had seen for order_key before this one
  };

  MockServer(MockOptions options, const Clock& clock, RequestAuthenticator auth,
             ResponseSigner signer);

  void Dispatch(const httplib::Request& req, httplib::Response& res);
  Endpoint Route(const httplib::Request& req) const;
  // Counts the request for (endpoint, order key) and decides and records its fault.
  Decision DecideFault(Endpoint e, const std::string& order_key);
  void CountStatus(Endpoint e, int status);
  // Applies the freedoms and the answer hook to a JSON answer.
  void Shape(Endpoint e, const Decision& d, Reply* reply);
  // Shapes, signs, spoils as d.fault says, and hands the answer to httplib.
  void Finish(const httplib::Request& req, httplib::Response& res, Endpoint e, Reply reply,
              const Decision& d);
  // Waits `d` or until Stop(); false when stopped.
  bool WaitFor(std::chrono::milliseconds d);
  Reply NotFoundReply(bool for_query, const std::string& appid, const std::string& mchid,
                      int64_t offset, int64_t limit) const;
  Reply NotFoundAnswer(bool for_query, const std::string& appid, const std::string& mchid,
                       int64_t offset, int64_t limit) const;
  // Pops the next scripted error for `e`, if any.
  std::optional<ApiError> NextScripted(Endpoint e);
  static Reply FromError(const ApiError& e) { return Reply{e.http_status, e.ToJson()}; }
  static Reply FaultReply(FaultKind kind);

  // The endpoints (mock_handlers.cc). Each decides its fault once it knows the order key, and
  // sets *d; a refusing fault answers without applying the request.
  Reply HandleDeclare(const httplib::Request& req, const std::string& mchid, Decision* d);
  Reply HandleQuery(const httplib::Request& req, const std::string& mchid, Decision* d);
  Reply HandleModify(const httplib::Request& req, const std::string& mchid, Decision* d);
  Reply HandleRedeclare(const httplib::Request& req, const std::string& mchid, Decision* d);
  Reply HandleVerifyCertificate(const httplib::Request& req, const std::string& mchid, Decision* d);
  Reply HandleCertificates(const httplib::Request& req, const std::string& mchid, Decision* d);

  const MockOptions options_;
  const Clock& clock_;
  const RequestAuthenticator auth_;
  ResponseSigner signer_;
  OrderBook orders_;
  FaultInjector faults_;

  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;
  std::atomic<uint64_t> next_request_id_{1};
  // Set by POST /mock/register-customs: options_.noauth_customs no longer refuses.
  std::atomic<bool> customs_registered_{false};

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  bool listener_done_ = false;

  std::mutex stats_mu_;
  std::map<Endpoint, EndpointStats> endpoint_stats_;
  std::vector<std::string> webhooks_;  // bodies POSTed to /mock/webhook; guarded by stats_mu_
  std::set<std::pair<std::string, int>> connections_;  // (peer address, port); by stats_mu_

  std::mutex hooks_mu_;
  std::map<Endpoint, std::deque<ApiError>> scripted_;  // guarded by hooks_mu_
  AnswerHook answer_hook_;                             // guarded by hooks_mu_
};

}  // namespace customsd::mock
