// The real client stack (MerchantApi: signer, CurlTransport, certificate manager, customs
// client) against the fake WeChat Pay in-process: every outcome class arises from the fault
// that should cause it, and no forged or unsigned answer is ever reported as ok.
#include <gtest/gtest.h>

#include "daemon/merchants/merchant_api.h"
#include "tests/mock/mock_server.h"
#include "tests/mock/vector_options.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/test_tls.h"
#include "wechatpay/curl_transport.h"

namespace customsd {
namespace {

using testing::PlainOrder;
using testing::ReadFile;
using testing::TestInstall;

mock::MockOptions BaseOptions() {
  mock::MockOptions o = mock::VectorOptions();
  o.hang = std::chrono::seconds(5);
  return o;
}

class ClientAgainstMockTest : public ::testing::Test {
 protected:
  // Starts the mock and builds the merchant's client stack against it.
  void Start(mock::MockOptions options, const std::string& ca_file = "",
             const std::string& host = "127.0.0.1") {
    auto server = mock::MockServer::Create(std::move(options), clock_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().message();
    const std::string scheme = ca_file.empty() && !https_ ? "http" : "https";
    testing::WriteFile(install_.config_path(),
                       testing::ReadFile(install_.config_path()) + "[wechatpay]\nbase_url = \"" +
                           scheme + "://" + host + ":" + std::to_string(*port) +
                           "\"\ntimeout = \"700ms\"\n");
    auto config = LoadConfig(install_.config_path());
    ASSERT_TRUE(config.ok()) << config.status().message();
    CurlTransportOptions t;
    t.ca_file = ca_file;
    t.timeout = config->wechatpay.timeout;
    transport_ = std::make_unique<CurlTransport>(t);
    auto api = BuildMerchantApi(*config, config->merchants[0], *transport_, clock_, nullptr);
    ASSERT_TRUE(api.ok()) << api.status().message();
    api_ = std::move(api).value();
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  ApiOutcome DeclareWithFault(mock::FaultRates faults, const std::string& order = "ORDER1") {
    server_->SetFaultRates(faults);
    return api_->customs->Declare(PlainOrder(order)).outcome;
  }

  SystemClock clock_;
  TestInstall install_;
  bool https_ = false;
  std::unique_ptr<mock::MockServer> server_;
  std::unique_ptr<CurlTransport> transport_;
  std::unique_ptr<MerchantApi> api_;
};

TEST_F(ClientAgainstMockTest, EachFaultLandsInTheOutcomeClassItShould) {
  Start(BaseOptions());
  ASSERT_TRUE(api_->certificates->Refresh().ok());
  struct Case {
    const char* name;
    mock::FaultRates faults;
    OutcomeClass expected;
  };
  const Case cases[] = {
      {"none", {}, OutcomeClass::kOk},
      {"systemerror", {.system_error = 1}, OutcomeClass::kRetry},
      {"429", {.rate_limited = 1}, OutcomeClass::kRetry},
      {"503", {.unavailable = 1}, OutcomeClass::kRetry},
      {"hang", {.hang = 1}, OutcomeClass::kUnknown},
      {"reset", {.reset = 1}, OutcomeClass::kUnknown},
      {"truncate", {.truncate = 1}, OutcomeClass::kUnknown},
      {"bad_signature", {.bad_signature = 1}, OutcomeClass::kUnknown},
      {"no_signature", {.no_signature = 1}, OutcomeClass::kUnknown},
      {"signtest", {.sign_test = 1}, OutcomeClass::kUnknown},
  };
  int n = 0;
  for (const Case& c : cases) {
    ApiOutcome o = DeclareWithFault(c.faults, "F" + std::to_string(n++));
    EXPECT_EQ(o.cls, c.expected) << c.name << ": " << o.ToString();
    if (std::string(c.name) == "429") {
      EXPECT_TRUE(o.slow_down);
    }
  }
  server_->SetFaultRates({});
  EXPECT_EQ(api_->customs->Declare(PlainOrder("PARAMERR1")).outcome.cls, OutcomeClass::kRefused);
  ApiOutcome noauth = api_->customs->Declare(PlainOrder("NOAUTH1")).outcome;
  EXPECT_EQ(noauth.cls, OutcomeClass::kRefused);
  EXPECT_TRUE(noauth.merchant_level);
  auto missing = api_->customs->Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no",
                                       "NEVER_DECLARED", "SHANGHAI_ZS"});
  EXPECT_EQ(missing.outcome.cls, OutcomeClass::kNotFound) << missing.outcome.ToString();
  EXPECT_FALSE(missing.outcome.request_id.empty());
}

TEST_F(ClientAgainstMockTest, NoForgedOrUnsignedAnswerIsEverOk) {
  Start(BaseOptions());
  ASSERT_TRUE(api_->certificates->Refresh().ok());
  for (int i = 0; i < 30; ++i) {
    ApiOutcome o = DeclareWithFault({.bad_signature = 0.34, .no_signature = 0.33, .sign_test = 0.33},
                                    "FORGED" + std::to_string(i));
    EXPECT_NE(o.cls, OutcomeClass::kOk) << o.ToString();
  }
  EXPECT_EQ(api_->caller->verification_failures(), 30);
}

TEST_F(ClientAgainstMockTest, AWrongMerchantKeyIsAnAuthProblem) {
  mock::MockOptions o = BaseOptions();
  o.merchant_certs[0].cert_pem = ReadFile(TestInstall::VectorFile("platform_cert.pem"));
  Start(std::move(o));
  ApiOutcome refresh = api_->certificates->Refresh();
  EXPECT_EQ(refresh.cls, OutcomeClass::kAuthProblem) << refresh.ToString();
}

TEST_F(ClientAgainstMockTest, NothingListeningIsARetryNotAnUnknown) {
  Start(BaseOptions());
  server_->Stop();
  ApiOutcome o = api_->customs->Declare(PlainOrder("DOWN1")).outcome;
  EXPECT_EQ(o.cls, OutcomeClass::kRetry) << o.ToString();
}

class HttpsAgainstMockTest : public ClientAgainstMockTest {
 protected:
  mock::MockOptions HttpsOptions(const testing::TestTls& tls) {
    mock::MockOptions o = BaseOptions();
    o.https = true;
    o.tls_cert_file = tls.server_cert;
    o.tls_key_file = tls.server_key;
    https_ = true;
    return o;
  }
};

TEST_F(HttpsAgainstMockTest, SucceedsWithTheTestCaInCaFile) {
  testing::TestTls tls = testing::WriteTestTls(install_.File(""), "localhost");
  Start(HttpsOptions(tls), tls.ca_cert, "localhost");
  EXPECT_TRUE(api_->certificates->Refresh().ok());
}

TEST_F(HttpsAgainstMockTest, RefusesAServerCertificateFromAnUnknownCa) {
  testing::TestTls tls = testing::WriteTestTls(install_.File(""), "localhost");
  Start(HttpsOptions(tls), tls.other_ca_cert, "localhost");
  ApiOutcome o = api_->certificates->Refresh();
  EXPECT_EQ(o.cls, OutcomeClass::kRetry) << o.ToString();  // not sent: TLS refused
  EXPECT_EQ(api_->keys.Find("13B6AA28E8A1105EE572DE656B7DB4758013A0F6"), nullptr);
}

TEST_F(HttpsAgainstMockTest, RefusesAServerCertificateNamingAnotherHost) {
  testing::TestTls tls = testing::WriteTestTls(install_.File(""), "other.example");
  Start(HttpsOptions(tls), tls.ca_cert, "localhost");
  ApiOutcome o = api_->certificates->Refresh();
  EXPECT_EQ(o.cls, OutcomeClass::kRetry) << o.ToString();
}

}  // namespace
}  // namespace customsd
