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
// Thread-safe. Stop() (or the destructor) ends hung requests at once.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <string_view>
#include <thread>

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

  MockStats Stats();

  // Changes the fault rates from now on (e.g. a test declares cleanly, then turns faults on).
  void SetFaultRates(const FaultRates& rates) { faults_.SetRates(rates); }
  // Which configured platform key signs responses (certificate rotation tests).
  void UsePlatform(size_t index) { signer_.Use(index); }

 private:
  // An answer before signing and spoiling.
  struct Reply {
    int status = 200;
    std::string body;
  };

  MockServer(MockOptions options, const Clock& clock, RequestAuthenticator auth,
             ResponseSigner signer);

  void Dispatch(const httplib::Request& req, httplib::Response& res);
  Endpoint Route(const httplib::Request& req) const;
  // Counts the request for (endpoint, order key) and decides and records its fault.
  FaultKind DecideFault(Endpoint e, const std::string& order_key);
  void CountStatus(Endpoint e, int status);
  // Signs, spoils as `fault` says, and hands the answer to httplib.
  void Finish(const httplib::Request& req, httplib::Response& res, Endpoint e, const Reply& reply,
              FaultKind fault);
  // Waits `d` or until Stop(); false when stopped.
  bool WaitFor(std::chrono::milliseconds d);
  Reply NotFoundReply(bool for_query, const std::string& appid, const std::string& mchid,
                      int64_t offset, int64_t limit) const;
  static Reply FromError(const ApiError& e) { return Reply{e.http_status, e.ToJson()}; }
  static Reply FaultReply(FaultKind kind);

  // The endpoints (mock_handlers.cc). Each decides its fault once it knows the order key, and
  // sets *fault; a refusing fault answers without applying the request.
  Reply HandleDeclare(const httplib::Request& req, const std::string& mchid, FaultKind* fault);
  Reply HandleQuery(const httplib::Request& req, const std::string& mchid, FaultKind* fault);
  Reply HandleModify(const httplib::Request& req, const std::string& mchid, FaultKind* fault);
  Reply HandleRedeclare(const httplib::Request& req, const std::string& mchid, FaultKind* fault);
  Reply HandleVerifyCertificate(const httplib::Request& req, const std::string& mchid,
                                FaultKind* fault);
  Reply HandleCertificates(const httplib::Request& req, const std::string& mchid, FaultKind* fault);

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

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  bool listener_done_ = false;

  std::mutex stats_mu_;
  std::map<Endpoint, EndpointStats> endpoint_stats_;
  std::vector<std::string> webhooks_;  // bodies POSTed to /mock/webhook; guarded by stats_mu_
};

}  // namespace customsd::mock
