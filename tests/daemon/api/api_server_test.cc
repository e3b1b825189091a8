#include "daemon/api/api_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>

#include "daemon/config/intake_options.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/openapi_check.h"
#include "tests/support/test_tls.h"

namespace customsd {
namespace {

using Json = nlohmann::json;

constexpr const char* kToken = "api-server-test-token-0123456789abcdef";

// The API behind a real listener on a free loopback port, as `customsd run` serves it.
class ApiServerTest : public testing::StoreTest {
 protected:
  ApiServerTest() {
    testing::WriteFile(dir_.File("api.tokens"), std::string(kToken) + "\n", 0600);
    Status loaded = tokens_.Reload();
    EXPECT_TRUE(loaded.ok()) << loaded.message();
    Config config;
    MerchantConfig m;
    m.mchid = testing::kTestMchid;
    m.appid = testing::kTestAppid;
    config.merchants.push_back(m);
    DeclarationsApi::Options options;
    options.intake = IntakeOptionsFor(config, IntakeFormat::kJsonLines);
    api_ = std::make_unique<DeclarationsApi>(*db_, clock_, options);
  }
  ~ApiServerTest() override {
    if (server_) server_->Stop();
  }

  int Start(ApiServerOptions options = {}) {
    server_ = std::make_unique<ApiServer>(*api_, tokens_, std::move(options));
    StatusOr<int> port = server_->Start("127.0.0.1:0");
    EXPECT_TRUE(port.ok()) << port.status().message();
    return port.ok() ? *port : 0;
  }

  ApiTokens tokens_{dir_.File("api.tokens")};
  std::unique_ptr<DeclarationsApi> api_;
  std::unique_ptr<ApiServer> server_;
};

httplib::Headers Bearer() { return {{"Authorization", std::string("Bearer ") + kToken}}; }

std::string OneDeclaration(const std::string& out_trade_no) {
  Json j = Json::object();
  PutDeclarationFields(j, testing::PlainOrder(out_trade_no));
  return j.dump();
}

TEST_F(ApiServerTest, WithTlsFilesItServesHttpsThatTheTestCaVerifies) {
  testing::TestTls tls = testing::WriteTestTls(dir_.path());
  ApiServerOptions options;
  options.tls_cert_file = tls.server_cert;
  options.tls_key_file = tls.server_key;
  const int port = Start(options);

  httplib::SSLClient client("localhost", port);
  client.set_ca_cert_path(tls.ca_cert.c_str());
  client.enable_server_certificate_verification(true);
  httplib::Result r =
      client.Post("/v1/declarations", Bearer(), OneDeclaration("TLS1"), "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(testing::OpenApiMismatch("post", "/v1/declarations", r->status, Json::parse(r->body)),
            "");
  auto stored = store_.Find(KeyOf(testing::PlainOrder("TLS1")));
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->has_value());

  // A client that trusts another CA refuses the server; plain HTTP gets no answer at all.
  httplib::SSLClient stranger("localhost", port);
  stranger.set_ca_cert_path(tls.other_ca_cert.c_str());
  stranger.enable_server_certificate_verification(true);
  EXPECT_EQ(stranger.Get("/v1/openapi.json", Bearer()).error(),
            httplib::Error::SSLServerVerification);
  httplib::Client plain("127.0.0.1", port);
  plain.set_read_timeout(5, 0);
  httplib::Result cleartext = plain.Get("/v1/openapi.json", Bearer());
  EXPECT_FALSE(cleartext && cleartext->status == 200);
}

TEST_F(ApiServerTest, TlsFilesThatDoNotLoadAreRefusedNamingTheSetting) {
  std::ofstream(dir_.File("bad.pem")) << "not a certificate\n";
  ApiServerOptions options;
  options.tls_cert_file = dir_.File("bad.pem");
  options.tls_key_file = dir_.File("bad.pem");
  ApiServer server(*api_, tokens_, options);
  StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("api.tls_cert_file"), std::string::npos)
      << port.status().message();
}

TEST_F(ApiServerTest, WithoutTheTokenNothingIsReadOrStored) {
  const int port = Start();
  httplib::Client client("127.0.0.1", port);
  httplib::Result none =
      client.Post("/v1/declarations", OneDeclaration("NOAUTH1"), "application/json");
  ASSERT_TRUE(none) << httplib::to_string(none.error());
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"customsd\"");
  httplib::Result wrong =
      client.Post("/v1/declarations", {{"Authorization", "Bearer not-the-token"}},
                  OneDeclaration("NOAUTH1"), "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(Json::parse(wrong->body)["error"], "Authorization: not a token this daemon accepts");
  auto stored = store_.Find(KeyOf(testing::PlainOrder("NOAUTH1")));
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());
}

TEST_F(ApiServerTest, ABodyOverTheCapIs413WithTheErrorBody) {
  ApiServerOptions options;
  options.max_body_bytes = 1024;
  const int port = Start(options);
  httplib::Client client("127.0.0.1", port);
  httplib::Result r =
      client.Post("/v1/declarations", Bearer(), std::string(4096, ' ') + "{}", "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Json::parse(r->body)["error"], "body: larger than api.max_body_mb");
}

TEST_F(ApiServerTest, TheConsoleIsServedWithoutATokenOnlyWhenTurnedOn) {
  const int off_port = Start();
  httplib::Client off("127.0.0.1", off_port);
  httplib::Result refused = off.Get("/console/");
  ASSERT_TRUE(refused) << httplib::to_string(refused.error());
  EXPECT_EQ(refused->status, 401);
  server_->Stop();

  ApiServerOptions options;
  options.console = true;
  const int port = Start(options);
  httplib::Client client("127.0.0.1", port);
  for (const char* path : {"/console/", "/console/console.js", "/console/console.css"}) {
    httplib::Result r = client.Get(path);
    ASSERT_TRUE(r) << path << ": " << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_FALSE(r->body.empty()) << path;
    EXPECT_EQ(r->get_header_value("Content-Security-Policy").rfind("default-src 'self'", 0), 0u)
        << path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  }
  EXPECT_NE(client.Get("/console/")->body.find("/console/console.js"), std::string::npos);
  httplib::Result root = client.Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 302);
  EXPECT_EQ(root->get_header_value("Location"), "/console/");
  EXPECT_EQ(client.Get("/console/secrets.txt")->status, 404);
  // The page holds nothing: its data still needs the token.
  EXPECT_EQ(client.Get("/v1/stats")->status, 401);
  EXPECT_EQ(client.Get("/v1/stats", Bearer())->status, 200);
}

TEST_F(ApiServerTest, ARequestFromAPageOfAnotherOriginIsRefusedEvenWithTheToken) {
  ApiServerOptions options;
  options.console = true;
  const int port = Start(options);
  httplib::Client client("127.0.0.1", port);
  httplib::Headers foreign = Bearer();
  foreign.emplace("Origin", "http://evil.example");
  httplib::Result r =
      client.Post("/v1/declarations", foreign, OneDeclaration("CSRF1"), "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(Json::parse(r->body)["error"], "Origin: a page of another site may not use this API");
  httplib::Headers opaque = Bearer();
  opaque.emplace("Origin", "null");  // a sandboxed frame or a file: page
  EXPECT_EQ(
      client.Post("/v1/declarations", opaque, OneDeclaration("CSRF1"), "application/json")->status,
      403);
  auto stored = store_.Find(KeyOf(testing::PlainOrder("CSRF1")));
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());

  // The console's own page names the listener's origin, and is served.
  httplib::Headers own = Bearer();
  own.emplace("Origin", "http://127.0.0.1:" + std::to_string(port));
  httplib::Result ok =
      client.Post("/v1/declarations", own, OneDeclaration("OWN1"), "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
}

}  // namespace
}  // namespace customsd
