// The fake WeChat Pay server against the contract of the real one: signatures both ways,
// WeChat's parameter checks and error shapes, the declaration state machine, paging, platform
// certificates and identity checks. The counters tests rely on: mock_stats_test.cc.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <set>

#include "tests/mock/mock_sockets.h"
#include "tests/mock/mock_test_fixture.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_tls.h"
#include "wechatpay/certificate_decryptor.h"
#include "wechatpay/sensitive_field.h"

namespace customsd::mock::testing {
namespace {

using nlohmann::json;

TEST(MockCertificates, SerialsMatchTheVectors) {
  json v = VectorsJson();
  auto merchant = ReadCertificate(Vector("merchant_cert.pem"));
  auto platform = ReadCertificate(Vector("platform_cert.pem"));
  ASSERT_TRUE(merchant.ok() && platform.ok());
  EXPECT_EQ(merchant->serial, v["merchant_serial"].get<std::string>());
  EXPECT_EQ(platform->serial, v["platform_serial"].get<std::string>());
}

using MockServerTest = MockFixture;

TEST_F(MockServerTest, DeclareIsAcceptedAndTheAnswerIsSigned) {
  StartServer();
  Exchange x = Declare(DeclareBody("20150806125346"));
  ASSERT_EQ(x.status, 200) << x.body;
  json j = x.Json();
  EXPECT_EQ(j["state"], "UNDECLARED");
  EXPECT_EQ(j["out_trade_no"], "20150806125346");
  EXPECT_EQ(j["transaction_id"], kTransactionId);
  EXPECT_EQ(j["verify_department"], "UNIONPAY");
  EXPECT_FALSE(j["verify_department_trade_id"].get<std::string>().empty());
  EXPECT_FALSE(j.contains("sub_order_no"));
  EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);
  EXPECT_EQ(x.Header("Wechatpay-Serial"), platform_serial_);
  EXPECT_FALSE(x.Header("Request-ID").empty());
  EXPECT_EQ(server_->Stats().Counters(Key("20150806125346")).declares_accepted, 1);
}

TEST_F(MockServerTest, WrongKeyIsSignError) {
  StartServer();
  RequestSigner wrong(kMchid, merchant_serial_, PrivateKey(Vector("platform_key.pem")), clock_);
  Exchange x = Send("POST", Api("/customs/orders"), DeclareBody("A1"), &wrong);
  EXPECT_EQ(x.status, 401);
  EXPECT_EQ(x.Code(), "SIGN_ERROR");
  EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);  // errors are signed too
  EXPECT_EQ(server_->Stats().Counters(Key("A1")).declares_received, 0);
  EXPECT_EQ(server_->Stats().Of(Endpoint::kDeclare).sign_errors, 1);
}

TEST_F(MockServerTest, SixMinuteOldTimestampIsSignError) {
  StartServer();
  FakeClock old(clock_.Now() - std::chrono::minutes(6));
  RequestSigner stale(kMchid, merchant_serial_, merchant_key_, old);
  Exchange x = Send("GET", Api("/certificates"), "", &stale);
  EXPECT_EQ(x.status, 401);
  EXPECT_EQ(x.Code(), "SIGN_ERROR");
  // Four minutes is within WeChat's five.
  FakeClock recent(clock_.Now() - std::chrono::minutes(4));
  RequestSigner fine(kMchid, merchant_serial_, merchant_key_, recent);
  EXPECT_EQ(Send("GET", Api("/certificates"), "", &fine).status, 200);
}

TEST_F(MockServerTest, MissingGarbledOrUnknownAuthorizationIsSignError) {
  StartServer();
  const std::string path = Api("/certificates");
  EXPECT_EQ(SendRaw("GET", path, "", {}).Code(), "SIGN_ERROR");
  EXPECT_EQ(SendRaw("GET", path, "", {{"Authorization", "Bearer abc"}}).Code(), "SIGN_ERROR");
  RequestSigner unknown(kMchid, "0123456789ABCDEF", merchant_key_, clock_);
  EXPECT_EQ(Send("GET", path, "", &unknown).status, 401);
  RequestSigner other_mchid("1900000001", merchant_serial_, merchant_key_, clock_);
  EXPECT_EQ(Send("GET", path, "", &other_mchid).status, 401);
  // The signed path must be the path sent: signing without the query fails.
  auto auth = signer_.Authorization("GET", Api("/customs/orders"), "");
  ASSERT_TRUE(auth.ok());
  Exchange x = SendRaw("GET", Api("/customs/orders?appid=x"), "", {{"Authorization", *auth}});
  EXPECT_EQ(x.status, 401);
}

TEST_F(MockServerTest, BodyMchidMustBeTheSigner) {
  StartServer();
  Exchange x = Declare(DeclareBody("A1", {{"mchid", "1900000001"}}));
  EXPECT_EQ(x.status, 400);
  EXPECT_EQ(x.Code(), "PARAM_ERROR");
  EXPECT_EQ(x.Json()["detail"]["field"], "mchid");
}

TEST_F(MockServerTest, ParamErrorsNameTheField) {
  StartServer();
  struct Case {
    std::string body;
    std::string field;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {DeclareBody("A1", {{"out_trade_no", nullptr}}), "out_trade_no", ""},
      {DeclareBody("bad#no"), "out_trade_no", ""},
      {DeclareBody("A1", {{"transaction_id", "42000abc"}}), "transaction_id", ""},
      {DeclareBody("A1", {{"customs", "shanghai"}}), "customs", ""},
      {DeclareBody("A1", {{"merchant_customs_no", std::string(33, '1')}}), "merchant_customs_no",
       ""},
      {DeclareBody("A1", {{"duty", -1}}), "duty", ""},
      {DeclareBody("A1", {{"duty", 1.5}}), "duty", ""},
      {DeclareBody("A1", {{"duty", "88"}}), "duty", ""},
      {DeclareBody("A1", {{"sub_order_no", ""}}), "sub_order_no", ""},
      {DeclareBody(
           "A1",
           {{"sub_order_no", "S1"}, {"order_fee", 10}, {"transport_fee", 5}, {"product_fee", 5}}),
       "fee_type", "Missing parameters in split declaration"},
      {DeclareBody(
           "A1",
           {{"sub_order_no", "S1"}, {"fee_type", "CNY"}, {"order_fee", 10}, {"product_fee", 5}}),
       "transport_fee", "Missing parameters in split declaration"},
      {DeclareBody("A1", {{"sub_order_no", "S1"},
                          {"fee_type", "USD"},
                          {"order_fee", 10},
                          {"transport_fee", 5},
                          {"product_fee", 5}}),
       "fee_type", ""},
      {DeclareBody("A1", {{"sub_order_no", "S1"},
                          {"fee_type", "CNY"},
                          {"order_fee", 11},
                          {"transport_fee", 5},
                          {"product_fee", 5}}),
       "order_fee", ""},
      {DeclareBody("A1", {{"merchant_customs_number", "1"}}), "merchant_customs_number", ""},
      {"not json", "#", ""},
      {DeclareBody("A1PARAMERR"), "merchant_customs_no", ""},
  };
  for (const Case& c : cases) {
    Exchange x = Declare(c.body);
    EXPECT_EQ(x.status, 400) << c.body;
    EXPECT_EQ(x.Code(), "PARAM_ERROR") << c.body;
    json j = x.Json();
    EXPECT_EQ(j["detail"]["field"], c.field) << c.body;
    EXPECT_EQ(j["detail"]["location"], "body") << c.body;
    EXPECT_FALSE(j["detail"]["issue"].get<std::string>().empty());
    if (!c.message_part.empty()) {
      EXPECT_EQ(j["message"], c.message_part) << c.body;
    }
    EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);
  }
  Exchange noauth = Declare(DeclareBody("A1NOAUTH"));
  EXPECT_EQ(noauth.status, 403);
  EXPECT_EQ(noauth.Code(), "NOAUTH");
  // None of them created a record.
  EXPECT_EQ(Query("A1").status, 404);
  EXPECT_EQ(server_->Stats().Counters(Key("A1PARAMERR")).declares_received, 1);
  EXPECT_EQ(server_->Stats().Counters(Key("A1PARAMERR")).declares_accepted, 0);
}

TEST_F(MockServerTest, IdenticalRedeclareAnswersTheCurrentRecord) {
  StartServer();
  ASSERT_EQ(Declare(SplitBody("A1", "S1")).status, 200);
  EXPECT_EQ(QueryState("A1"), "PROCESSING");
  Exchange again = Declare(SplitBody("A1", "S1"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json()["state"], "PROCESSING");
  EXPECT_EQ(again.Json()["sub_order_no"], "S1");
  const OrderCounters c = server_->Stats().Counters(Key("A1", "S1"));
  EXPECT_EQ(c.declares_received, 2);
  EXPECT_EQ(c.declares_accepted, 1);
  EXPECT_EQ(c.declares_after_acceptance, 1);
  EXPECT_EQ(c.conflicts, 0);
}

TEST_F(MockServerTest, DifferentContentIsAConflict) {
  StartServer();
  ASSERT_EQ(Declare(DeclareBody("A1")).status, 200);
  Exchange x = Declare(DeclareBody("A1", {{"duty", 5}}));
  EXPECT_EQ(x.status, 400);
  EXPECT_EQ(x.Code(), "INVALID_REQUEST");
  // The same order number with another payment is refused too.
  EXPECT_EQ(Declare(DeclareBody("A2", {}, kTransactionId)).Code(), "INVALID_REQUEST");
  const MockStats s = server_->Stats();
  EXPECT_EQ(s.Counters(Key("A1")).conflicts, 1);
  EXPECT_EQ(s.Counters(Key("A1")).declares_accepted, 1);
  EXPECT_EQ(s.Counters(Key("A2")).conflicts, 1);
}

TEST_F(MockServerTest, QueriesMoveStatesToTheirMarkedEnd) {
  StartServer();
  const std::vector<std::pair<std::string, std::string>> orders = {
      {"A1", "SUCCESS"}, {"A2FAIL", "FAIL"}, {"A3EXCEPT", "EXCEPT"}, {"A4EXCEPTONCE", "EXCEPT"}};
  for (size_t i = 0; i < orders.size(); ++i) {
    ASSERT_EQ(Declare(DeclareBody(orders[i].first, {},
                                  "10003203062015110784407378" + std::to_string(10 + i)))
                  .status,
              200);
    EXPECT_EQ(QueryState(orders[i].first), "PROCESSING");
    EXPECT_EQ(QueryState(orders[i].first), orders[i].second) << orders[i].first;
    EXPECT_EQ(QueryState(orders[i].first), orders[i].second) << "final states stay";
  }
  json fail = Query("A2FAIL").Json()["data"][0];
  EXPECT_FALSE(fail["explanation"].get<std::string>().empty());
  EXPECT_FALSE(Query("A1").Json()["data"][0].contains("explanation"));

  // Re-push: EXCEPT stays EXCEPT, EXCEPTONCE succeeds the second time.
  ASSERT_EQ(Redeclare("A3EXCEPT").status, 200);
  ASSERT_EQ(Redeclare("A4EXCEPTONCE").status, 200);
  EXPECT_EQ(QueryState("A4EXCEPTONCE"), "PROCESSING");
  EXPECT_EQ(QueryState("A4EXCEPTONCE"), "SUCCESS");
  EXPECT_EQ(QueryState("A3EXCEPT"), "PROCESSING");
  EXPECT_EQ(QueryState("A3EXCEPT"), "EXCEPT");
  EXPECT_EQ(server_->Stats().Counters(Key("A1")).queries, 4);
}

TEST_F(MockServerTest, EveryNthQueryAdvances) {
  StartServer([](MockOptions& o) { o.advance_after_queries = 3; });
  ASSERT_EQ(Declare(DeclareBody("A1")).status, 200);
  EXPECT_EQ(QueryState("A1"), "UNDECLARED");
  EXPECT_EQ(QueryState("A1"), "UNDECLARED");
  EXPECT_EQ(QueryState("A1"), "PROCESSING");
  EXPECT_EQ(QueryState("A1"), "PROCESSING");
  EXPECT_EQ(QueryState("A1"), "PROCESSING");
  EXPECT_EQ(QueryState("A1"), "SUCCESS");
}

TEST_F(MockServerTest, TimeAdvancesStatesOnTheMockClock) {
  StartServer([](MockOptions& o) {
    o.advance_after_queries = 0;
    o.advance_after = std::chrono::seconds(60);
  });
  ASSERT_EQ(Declare(DeclareBody("A1")).status, 200);
  EXPECT_EQ(QueryState("A1"), "UNDECLARED");
  clock_.Advance(std::chrono::seconds(61));
  json item = Query("A1").Json()["data"][0];
  EXPECT_EQ(item["state"], "PROCESSING");
  const std::string processing_time = item["modify_time"];
  EXPECT_TRUE(processing_time.ends_with("+08:00")) << processing_time;
  clock_.Advance(std::chrono::seconds(60));
  item = Query("A1").Json()["data"][0];
  EXPECT_EQ(item["state"], "SUCCESS");
  EXPECT_NE(item["modify_time"], processing_time);
  EXPECT_EQ(server_->Stats().orders.at(Key("A1")).record->state, DeclState::kSuccess);
}

TEST_F(MockServerTest, RedeclareOnlyFromSuccessOrExcept) {
  StartServer();
  ASSERT_EQ(Declare(DeclareBody("A1EXCEPT")).status, 200);
  EXPECT_EQ(QueryState("A1EXCEPT"), "PROCESSING");
  Exchange refused = Redeclare("A1EXCEPT");
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.Code(), "INVALID_REQUEST");
  EXPECT_EQ(QueryState("A1EXCEPT"), "EXCEPT");
  Exchange ok = Redeclare("A1EXCEPT");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["state"], "UNDECLARED");
  EXPECT_TRUE(ok.Json().contains("modify_time"));
  const OrderCounters c = server_->Stats().Counters(Key("A1EXCEPT"));
  EXPECT_EQ(c.redeclares, 1);
  EXPECT_EQ(c.redeclares_refused, 1);
  // By transaction_id instead of out_trade_no; unknown orders are not found.
  json by_txn = {{"appid", kAppid},
                 {"mchid", kMchid},
                 {"transaction_id", kTransactionId},
                 {"customs", kCustoms},
                 {"merchant_customs_no", "123456"}};
  EXPECT_EQ(Send("POST", Api("/customs/redeclare"), by_txn.dump()).Code(), "INVALID_REQUEST");
  EXPECT_EQ(Redeclare("NOPE").status, 404);
}

TEST_F(MockServerTest, SplitOrderRedeclareNeedsTheSubOrder) {
  StartServer();
  ASSERT_EQ(Declare(SplitBody("A1EXCEPT", "S1")).status, 200);
  QueryState("A1EXCEPT");
  QueryState("A1EXCEPT");
  Exchange x = Redeclare("A1EXCEPT");
  EXPECT_EQ(x.Code(), "PARAM_ERROR");
  EXPECT_EQ(x.Json()["detail"]["field"], "sub_order_no");
  const std::string sub_order_id = Query("A1EXCEPT").Json()["data"][0]["sub_order_id"];
  EXPECT_EQ(Redeclare("A1EXCEPT", {{"sub_order_id", sub_order_id}}).status, 200);
}

TEST_F(MockServerTest, ModifyChangesOnlyWhatMayChangeAndResubmits) {
  StartServer();
  ASSERT_EQ(Declare(SplitBody("A1", "S1")).status, 200);
  QueryState("A1");
  EXPECT_EQ(QueryState("A1"), "SUCCESS");
  json m = {{"appid", kAppid},      {"mchid", kMchid},
            {"out_trade_no", "A1"}, {"transaction_id", kTransactionId},
            {"customs", kCustoms},  {"merchant_customs_no", "654321"},
            {"sub_order_no", "S1"}, {"duty", 12},
            {"order_fee", 900},     {"transport_fee", 100},
            {"product_fee", 800}};
  Exchange x = Send("PATCH", Api("/customs/orders"), m.dump());
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(x.Json()["state"], "SUBMITTED");
  EXPECT_TRUE(x.Json().contains("modify_time"));
  EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);
  json item = Query("A1").Json()["data"][0];
  EXPECT_EQ(item["state"], "PROCESSING");
  EXPECT_EQ(item["mch_customs_no"], "654321");
  EXPECT_EQ(item["duty"], 12);
  EXPECT_EQ(item["order_fee"], 900);
  EXPECT_EQ(QueryState("A1"), "SUCCESS");
  EXPECT_EQ(server_->Stats().Counters(Key("A1", "S1")).modifies, 1);
  // The modified content is now what an identical re-declare must carry.
  EXPECT_EQ(Declare(SplitBody("A1", "S1")).Code(), "INVALID_REQUEST");

  m["order_fee"] = 1;  // no longer transport_fee + product_fee
  EXPECT_EQ(Send("PATCH", Api("/customs/orders"), m.dump()).Code(), "PARAM_ERROR");
  m["order_fee"] = 900;
  m["fee_type"] = "CNY";  // not a field of the modify API
  EXPECT_EQ(Send("PATCH", Api("/customs/orders"), m.dump()).Code(), "PARAM_ERROR");
  m.erase("fee_type");
  m["out_trade_no"] = "NOPE";
  EXPECT_EQ(Send("PATCH", Api("/customs/orders"), m.dump()).Code(), "ORDER_NOT_EXIST");
}

TEST_F(MockServerTest, QueryPagesOverEverySubOrder) {
  StartServer([](MockOptions& o) { o.advance_after_queries = 0; });
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Declare(SplitBody("A1", "S" + std::to_string(i))).status, 200);
  }
  std::set<std::string> seen;
  int offset = 0;
  int calls = 0;
  while (true) {
    Exchange x = Query("A1", "out_trade_no", offset, 2);
    ASSERT_EQ(x.status, 200) << x.body;
    json j = x.Json();
    EXPECT_EQ(j["total_count"], 5);
    EXPECT_EQ(j["offset"], offset);
    EXPECT_EQ(j["limit"], 2);
    EXPECT_EQ(j["transaction_id"], kTransactionId);
    for (const json& item : j["data"]) seen.insert(item["sub_order_no"].get<std::string>());
    ++calls;
    offset += static_cast<int>(j["data"].size());
    if (offset >= j["total_count"].get<int>()) break;
  }
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(seen, (std::set<std::string>{"S0", "S1", "S2", "S3", "S4"}));
  // Other ways to name the order, and another customs.
  EXPECT_EQ(Query(kTransactionId, "transaction_id").Json()["total_count"], 5);
  EXPECT_EQ(Query("S3", "sub_order_no").Json()["total_count"], 1);
  const std::string sub_order_id = Query("S3", "sub_order_no").Json()["data"][0]["sub_order_id"];
  EXPECT_EQ(Query(sub_order_id, "sub_order_id").Json()["data"][0]["sub_order_no"], "S3");
  EXPECT_EQ(Query("A1", "out_trade_no", 0, 20, "NINGBO").status, 404);
  EXPECT_EQ(Query("A1", "out_trade_no", 10, 20).Json()["data"].size(), 0u);
}

TEST_F(MockServerTest, QueryParametersAreChecked) {
  StartServer();
  Exchange x = Query("A1", "order_id");
  EXPECT_EQ(x.Code(), "PARAM_ERROR");
  EXPECT_EQ(x.Json()["detail"]["field"], "order_type");
  EXPECT_EQ(x.Json()["detail"]["location"], "query");
  Exchange y = Send("GET", Api("/customs/orders?appid=a&mchid=1230000109&order_type=out_trade_no"
                               "&customs=SHANGHAI_ZS"));
  EXPECT_EQ(y.Json()["detail"]["field"], "order_no");
}

TEST_F(MockServerTest, NotFoundStyles) {
  const std::vector<std::tuple<NotFoundStyle, int, std::string>> styles = {
      {NotFoundStyle::kOrderNotExist404, 404, "ORDER_NOT_EXIST"},
      {NotFoundStyle::kResourceNotExists404, 404, "RESOURCE_NOT_EXISTS"},
      {NotFoundStyle::kInvalidRequest400, 400, "INVALID_REQUEST"},
      {NotFoundStyle::kEmptyData200, 200, ""}};
  for (const auto& [style, status, code] : styles) {
    StartServer([style = style](MockOptions& o) { o.not_found = style; });
    Exchange x = Query("NOPE");
    EXPECT_EQ(x.status, status);
    EXPECT_EQ(x.Code(), code);
    EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);
    if (status == 200) {
      EXPECT_EQ(x.Json()["total_count"], 0);
      EXPECT_TRUE(x.Json()["data"].empty());
    }
    if (status == 400) {
      EXPECT_EQ(x.Json()["message"], "record does not exist");
    }
  }
}

TEST_F(MockServerTest, CertificatesDecryptToThePlatformCertificate) {
  StartServer();
  Exchange x = Send("GET", Api("/certificates"));
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);
  json item = x.Json()["data"][0];
  EXPECT_EQ(item["serial_no"], platform_serial_);
  EXPECT_EQ(item["encrypt_certificate"]["algorithm"], "AEAD_AES_256_GCM");
  EXPECT_EQ(item["encrypt_certificate"]["associated_data"], "certificate");
  EXPECT_TRUE(item["effective_time"].get<std::string>().ends_with("+08:00"));
  auto pem =
      DecryptAes256Gcm(Vector("apiv3.key"), item["encrypt_certificate"]["nonce"].get<std::string>(),
                       "certificate", item["encrypt_certificate"]["ciphertext"].get<std::string>());
  ASSERT_TRUE(pem.ok()) << pem.status().message();
  EXPECT_EQ(*pem, Vector("platform_cert.pem"));
}

TEST_F(MockServerTest, VerifyCertificateDecryptsTheIdentity) {
  StartServer();
  auto field = [&](const std::string& text) {
    auto enc = EncryptSensitiveField(platform_public_.get(), text);
    EXPECT_TRUE(enc.ok());
    return enc.ok() ? *enc : std::string();
  };
  json body = {{"appid", kAppid},
               {"mchid", kMchid},
               {"out_trade_no", "A1"},
               {"transaction_id", kTransactionId},
               {"customs", kCustoms},
               {"merchant_customs_no", "123456"},
               {"certificate_type", "IDCARD"},
               {"certificate_id", field("330821198809085211")},
               {"certificate_name", field("张三")}};
  const httplib::Headers serial = {{"Wechatpay-Serial", platform_serial_}};
  const std::string path = Api("/customs/verify-certificate");
  Exchange same = Send("POST", path, body.dump(), nullptr, serial);
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(same.Json()["certificate_check_result"], "SAME");
  body["certificate_name"] = field("张三DIFF");
  EXPECT_EQ(Send("POST", path, body.dump(), nullptr, serial).Json()["certificate_check_result"],
            "DIFFERENT");
  Exchange no_serial = Send("POST", path, body.dump());
  EXPECT_EQ(no_serial.Code(), "PARAM_ERROR");
  EXPECT_EQ(no_serial.Json()["detail"]["field"], "Wechatpay-Serial");
  body["certificate_id"] = "330821198809085211";  // not encrypted
  EXPECT_EQ(Send("POST", path, body.dump(), nullptr, serial).Json()["detail"]["field"],
            "certificate_id");
}

TEST_F(MockServerTest, UnknownPathsAreNotMistakenForMissingRecords) {
  StartServer();
  Exchange x = Send("GET", "/global/v3/customs/orders?order_no=1");
  EXPECT_EQ(x.status, 404);
  EXPECT_EQ(x.Code(), "NOT_FOUND");
  EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);
}

TEST_F(MockServerTest, PrefixIsConfigurable) {
  StartServer([](MockOptions& o) { o.prefix = "/global/v3"; });
  EXPECT_EQ(Send("POST", "/global/v3/customs/orders", DeclareBody("A1")).status, 200);
  EXPECT_EQ(Send("POST", "/v3/global/customs/orders", DeclareBody("A2")).Code(), "NOT_FOUND");
}

TEST_F(MockServerTest, BodiesMustBeJson) {
  StartServer();
  auto auth = signer_.Authorization("POST", Api("/customs/orders"), DeclareBody("A1"));
  ASSERT_TRUE(auth.ok());
  auto client = NewClient();
  auto r = client->Post(Api("/customs/orders").c_str(), {{"Authorization", *auth}},
                        DeclareBody("A1"), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("Content-Type"), std::string::npos);
}

TEST_F(MockServerTest, ServesHttpsWithTheTestCa) {
  customsd::testing::TempDir dir;
  customsd::testing::TestTls tls = customsd::testing::WriteTestTls(dir.path());
  StartServer([&](MockOptions& o) {
    o.https = true;
    o.tls_cert_file = tls.server_cert;
    o.tls_key_file = tls.server_key;
  });
  EXPECT_TRUE(server_->base_url().starts_with("https://127.0.0.1:"));
  ca_file_ = tls.ca_cert;
  Exchange x = Declare(DeclareBody("A1"));
  ASSERT_EQ(x.status, 200) << httplib::to_string(x.error);
  EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);
  // The socket-level faults work under TLS too.
  FaultRates reset;
  reset.reset = 1;
  server_->SetFaultRates(reset);
  Exchange cut = Declare(DeclareBody("A2", {}, "1000320306201511078440737891"));
  EXPECT_EQ(cut.status, 0);
  EXPECT_NE(cut.error, httplib::Error::Success);
  server_->SetFaultRates({});
  EXPECT_EQ(server_->Stats().Counters(Key("A2")).declares_accepted, 1);
  ca_file_ = tls.other_ca_cert;
  EXPECT_EQ(Declare(DeclareBody("A1")).error, httplib::Error::SSLServerVerification);
}

TEST_F(MockServerTest, PlatformKeyCanRotate) {
  customsd::testing::TempDir dir;
  customsd::testing::TestTls tls = customsd::testing::WriteTestTls(dir.path());
  StartServer([&](MockOptions& o) {
    o.platforms.push_back({Slurp(tls.server_key), Slurp(tls.server_cert)});
  });
  EXPECT_EQ(Send("GET", Api("/certificates")).Json()["data"].size(), 2u);
  server_->UsePlatform(1);
  Exchange x = Send("GET", Api("/certificates"));
  EXPECT_NE(x.Header("Wechatpay-Serial"), platform_serial_);
  EXPECT_EQ(Verdict(x), VerifyVerdict::kUnknownSerial);
}

TEST_F(MockServerTest, SharedTransactionIdsCanBeAllowed) {
  StartServer([](MockOptions& o) { o.bind_transaction_ids = false; });
  EXPECT_EQ(Declare(DeclareBody("A1")).status, 200);
  EXPECT_EQ(Declare(DeclareBody("A2")).status, 200);
}

TEST_F(MockServerTest, SeededMixDecidesUnmarkedOrders) {
  StartServer([](MockOptions& o) { o.mix_except = 1; });
  ASSERT_EQ(Declare(DeclareBody("A1")).status, 200);
  QueryState("A1");
  EXPECT_EQ(QueryState("A1"), "EXCEPT");

  auto finals = [&](uint64_t seed) {
    StartServer([seed](MockOptions& o) {
      o.seed = seed;
      o.mix_fail = 0.3;
      o.mix_except = 0.3;
    });
    std::string out;
    for (int i = 0; i < 12; ++i) {
      const std::string no = "M" + std::to_string(i);
      EXPECT_EQ(Declare(DeclareBody(no, {}, "10003203062015110784407378" + std::to_string(10 + i)))
                    .status,
                200);
      QueryState(no);
      out += QueryState(no) + " ";
    }
    return out;
  };
  const std::string first = finals(5);
  EXPECT_EQ(first, finals(5));
  EXPECT_NE(first.find("SUCCESS"), std::string::npos) << first;
  EXPECT_NE(first.find("FAIL"), std::string::npos) << first;
  EXPECT_NE(first.find("EXCEPT"), std::string::npos) << first;
}

TEST_F(MockServerTest, StopIsPromptWithIdleKeepAliveConnections) {
  StartServer([](MockOptions& o) { o.keep_alive_seconds = 30; });
  httplib::Client client(server_->base_url());
  client.set_keep_alive(true);
  auto r = client.Get("/mock/stats");
  ASSERT_TRUE(r);
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

// httplib writes an answer's headers and its body apart: with Nagle on, the body waits for the
// client's delayed ACK (40 ms on Linux), a stall WeChat Pay's servers do not have. It capped
// every benchmark against the mock at max_in_flight / 40 ms calls per second.
TEST_F(MockServerTest, AnswersWithoutNagleDelay) {
  StartServer();
  auto client = NewClient();
  client->set_keep_alive(true);  // its connection stays open while the test looks at it
  auto r = client->Get("/mock/stats");
  ASSERT_TRUE(r);
  const std::vector<int> accepted = AcceptedSockets(server_->port());
  ASSERT_FALSE(accepted.empty());
  for (int fd : accepted) {
    int nodelay = 0;
    socklen_t len = sizeof(nodelay);
    ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
    EXPECT_NE(nodelay, 0) << "accepted socket " << fd;
  }
}

TEST_F(MockServerTest, NoauthCustomsRefusesDeclaresThereUntilTheMerchantRegisters) {
  StartServer([](MockOptions& o) { o.noauth_customs = kCustoms; });
  Exchange refused = Declare(DeclareBody("20150806125346"));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Code(), "NOAUTH");
  EXPECT_EQ(Verdict(refused), VerifyVerdict::kOk);  // signed, as WeChat's refusals are
  Exchange elsewhere = Declare(
      DeclareBody("20150806125347", {{"customs", "NINGBO"}}, "1000320306201511078440737891"));
  EXPECT_EQ(elsewhere.status, 200) << elsewhere.body;

  httplib::Client client(server_->base_url());
  auto registered = client.Post("/mock/register-customs", "", "application/json");
  ASSERT_TRUE(registered);
  EXPECT_EQ(registered->status, 200);
  Exchange taken = Declare(DeclareBody("20150806125346"));
  EXPECT_EQ(taken.status, 200) << taken.body;
}

}  // namespace
}  // namespace customsd::mock::testing
