// Shared set-up of the wechatpay-mock tests: the APIv3 test vectors, a started MockServer (always
// stopped by the fixture), and a client that signs requests like the daemon and checks the
// responses' signatures against the platform certificate.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "common/clock.h"
#include "tests/mock/mock_server.h"
#include "wechatpay/private_key.h"
#include "wechatpay/response_verifier.h"
#include "wechatpay/signer.h"

#ifndef CUSTOMSD_VECTORS_DIR
#define CUSTOMSD_VECTORS_DIR "/work/main/tests/vectors"
#endif

namespace customsd::mock::testing {

inline std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  if (!f && !f.eof()) ADD_FAILURE() << "cannot read " << path;
  return s.str();
}

inline std::string Vector(const std::string& name) {
  return Slurp(std::string(CUSTOMSD_VECTORS_DIR) + "/" + name);
}

inline nlohmann::json VectorsJson() { return nlohmann::json::parse(Vector("apiv3-vectors.json")); }

inline SharedPkey PrivateKey(const std::string& pem) {
  auto key = ParsePrivateKeyPem(pem, "test key");
  EXPECT_TRUE(key.ok()) << key.status().message();
  return key.ok() ? Share(std::move(key).value()) : nullptr;
}

inline SharedPkey PublicKey(const std::string& pem) {
  auto key = ParsePublicKeyPem(pem, "test certificate");
  EXPECT_TRUE(key.ok()) << key.status().message();
  return key.ok() ? Share(std::move(key).value()) : nullptr;
}

inline constexpr char kMchid[] = "1230000109";
inline constexpr char kAppid[] = "wxd678efh567hg6787";
inline constexpr char kCustoms[] = "SHANGHAI_ZS";
inline constexpr char kTransactionId[] = "1000320306201511078440737890";

// The mock's key of a declaration (MockStats::orders, /mock/stats "orders").
inline std::string Key(const std::string& out_trade_no, const std::string& sub = "") {
  return DeclarationKey{kMchid, out_trade_no, sub, kCustoms}.ToString();
}

// A declare body; `extra` fields are merged in (null removes a field).
inline std::string DeclareBody(const std::string& out_trade_no, nlohmann::json extra = {},
                               const std::string& transaction_id = kTransactionId) {
  nlohmann::ordered_json j = {{"appid", kAppid},
                              {"mchid", kMchid},
                              {"out_trade_no", out_trade_no},
                              {"transaction_id", transaction_id},
                              {"customs", kCustoms},
                              {"merchant_customs_no", "123456"}};
  for (auto& [k, v] : extra.items()) {
    if (v.is_null()) {
      j.erase(k);
    } else {
      j[k] = v;
    }
  }
  return j.dump();
}

inline std::string SplitBody(const std::string& out_trade_no, const std::string& sub,
                             const std::string& transaction_id = kTransactionId) {
  return DeclareBody(out_trade_no,
                     {{"sub_order_no", sub},
                      {"fee_type", "CNY"},
                      {"order_fee", 888},
                      {"transport_fee", 88},
                      {"product_fee", 800}},
                     transaction_id);
}

// One exchange: either a response (status > 0) or a transport error.
struct Exchange {
  int status = 0;
  httplib::Error error = httplib::Error::Success;
  httplib::Headers headers;
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  nlohmann::json Json() const {
    return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  }
  std::string Code() const {
    nlohmann::json j = Json();
    return j.is_object() && j.contains("code") ? j["code"].get<std::string>() : std::string();
  }
};

class MockFixture : public ::testing::Test {
 protected:
  MockFixture()
      : clock_(std::chrono::system_clock::now()),
        vectors_(VectorsJson()),
        merchant_serial_(vectors_["merchant_serial"].get<std::string>()),
        platform_serial_(vectors_["platform_serial"].get<std::string>()),
        merchant_key_(PrivateKey(Vector("merchant_key.pem"))),
        platform_public_(PublicKey(Vector("platform_cert.pem"))),
        signer_(kMchid, merchant_serial_, merchant_key_, clock_) {}

  ~MockFixture() override {
    if (server_) server_->Stop();
  }

  MockOptions DefaultOptions() const {
    MockOptions o;
    o.merchant_certs.push_back({Vector("merchant_cert.pem"), kMchid});
    o.platforms.push_back({Vector("platform_key.pem"), Vector("platform_cert.pem")});
    o.apiv3_key = Vector("apiv3.key");
    o.hang = std::chrono::minutes(10);  // only Stop() ends a hang in these tests
    return o;
  }

  // Starts a server with the default options changed by `tweak`; the fixture stops it.
  void StartServer(const std::function<void(MockOptions&)>& tweak = nullptr) {
    if (server_) server_->Stop();
    MockOptions o = DefaultOptions();
    if (tweak) tweak(o);
    auto created = MockServer::Create(std::move(o), clock_);
    ASSERT_TRUE(created.ok()) << created.status().message();
    server_ = std::move(created).value();
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().message();
    ASSERT_GT(*port, 0);
  }

  std::string Api(const std::string& rest) const {
    return (server_ ? server_->prefix() : MockOptions().prefix) + rest;
  }

  std::unique_ptr<httplib::Client> NewClient() const {
    auto client =
        std::make_unique<httplib::Client>(base_url_.empty() ? server_->base_url() : base_url_);
    client->set_url_encode(false);  // the path must go out exactly as signed
    client->set_connection_timeout(std::chrono::seconds(5));
    client->set_read_timeout(read_timeout_);
    if (!ca_file_.empty()) client->set_ca_cert_path(ca_file_);
    return client;
  }

  // Sends a request signed by `signer` (default: the merchant's) and returns what came back.
  Exchange Send(const std::string& method, const std::string& path_with_query,
                const std::string& body = "", const RequestSigner* signer = nullptr,
                httplib::Headers extra = {}) {
    if (signer == nullptr) signer = &signer_;
    auto auth = signer->Authorization(method, path_with_query, body);
    EXPECT_TRUE(auth.ok());
    httplib::Headers headers = {{"Authorization", auth.ok() ? *auth : std::string()},
                                {"Accept", "application/json"},
                                {"User-Agent", "customsd-mock-test"}};
    for (auto& h : extra) headers.insert(h);
    return SendRaw(method, path_with_query, body, headers);
  }

  Exchange SendRaw(const std::string& method, const std::string& path_with_query,
                   const std::string& body, const httplib::Headers& headers) {
    auto client = NewClient();
    httplib::Result r =
        method == "GET" ? client->Get(path_with_query.c_str(), headers)
        : method == "PATCH"
            ? client->Patch(path_with_query.c_str(), headers, body, "application/json")
            : client->Post(path_with_query.c_str(), headers, body, "application/json");
    Exchange x;
    x.error = r.error();
    if (r) {
      x.status = r->status;
      x.headers = r->headers;
      x.body = r->body;
    }
    return x;
  }

  Exchange Declare(const std::string& body) { return Send("POST", Api("/customs/orders"), body); }

  Exchange Query(const std::string& order_no, const std::string& order_type = "out_trade_no",
                 int offset = 0, int limit = 20, const std::string& customs = kCustoms) {
    const std::string q = Api("/customs/orders") + "?appid=" + kAppid + "&mchid=" + kMchid +
                          "&order_type=" + order_type + "&order_no=" + order_no +
                          "&customs=" + customs + "&offset=" + std::to_string(offset) +
                          "&limit=" + std::to_string(limit);
    return Send("GET", q);
  }

  // The state of the first data[] item of a query by out_trade_no.
  std::string QueryState(const std::string& out_trade_no) {
    Exchange x = Query(out_trade_no);
    EXPECT_EQ(x.status, 200) << x.body;
    nlohmann::json j = x.Json();
    if (!j.is_object() || j["data"].empty()) return "";
    return j["data"][0]["state"].get<std::string>();
  }

  Exchange Redeclare(const std::string& out_trade_no, nlohmann::json extra = {}) {
    nlohmann::json j = {{"appid", kAppid},
                        {"mchid", kMchid},
                        {"out_trade_no", out_trade_no},
                        {"customs", kCustoms},
                        {"merchant_customs_no", "123456"}};
    if (extra.is_object()) j.update(extra);
    return Send("POST", Api("/customs/redeclare"), j.dump());
  }

  VerifyVerdict Verdict(const Exchange& x) const {
    ResponseSignature sig{x.Header("Wechatpay-Timestamp"), x.Header("Wechatpay-Nonce"),
                          x.Header("Wechatpay-Signature"), x.Header("Wechatpay-Serial")};
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
    return VerifyResponse(sig, x.body, now, [this](std::string_view serial) {
      return serial == platform_serial_ ? platform_public_ : nullptr;
    });
  }

  FakeClock clock_;
  nlohmann::json vectors_;
  std::string merchant_serial_;
  std::string platform_serial_;
  SharedPkey merchant_key_;
  SharedPkey platform_public_;
  RequestSigner signer_;
  std::unique_ptr<MockServer> server_;
  std::string base_url_;  // set: requests go there instead (a wechatpay-mock process)
  std::string ca_file_;
  std::chrono::milliseconds read_timeout_{std::chrono::seconds(10)};
};

}  // namespace customsd::mock::testing
