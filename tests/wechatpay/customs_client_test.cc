#include "wechatpay/customs_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/storage/store_fixture.h"
#include "tests/wechatpay/client_fixture.h"
#include "wechatpay/api_outcome.h"

namespace customsd {
namespace {

using testing::Answer;
using testing::NetworkError;
using CustomsClientTest = testing::ClientTest;

const char* const kDeclareOk =
    R"({"appid":"wxd678efh567hg6787","mchid":"1230000109","state":"UNDECLARED",)"
    R"("out_trade_no":"ORDER1","transaction_id":"1000320306201511078440737890",)"
    R"("verify_department":"UNIONPAY","verify_department_trade_id":"2018112288340107038204310100000"})";

TEST_F(CustomsClientTest, DeclareSendsASignedRequestAndReturnsWeChatsAnswer) {
  AnswerAll(200, kDeclareOk);
  auto r = client_->Declare(testing::PlainOrder("ORDER1"));
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  EXPECT_EQ(r.value->state, "UNDECLARED");
  EXPECT_EQ(r.value->verify_department, "UNIONPAY");
  EXPECT_EQ(r.outcome.request_id.rfind("fake-", 0), 0u);

  auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const HttpRequest& req = requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://api.test/v3/global/customs/orders");
  std::string auth;
  std::string serial;
  for (const auto& [k, v] : req.headers) {
    if (k == "Authorization") auth = v;
    if (k == "Wechatpay-Serial") serial = v;
  }
  EXPECT_EQ(serial, platform_.serial);
  auto parsed = ParseAuthorization(auth);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->timestamp, std::to_string(NowSeconds()));
  // The signature covers exactly the path and body that were sent.
  auto merchant_cert = ParsePublicKeyPem(
      testing::ReadFile(testing::TestInstall::VectorFile("merchant_cert.pem")), "test");
  ASSERT_TRUE(merchant_cert.ok());
  EXPECT_TRUE(VerifySha256WithRsa(
      merchant_cert->get(),
      BuildRequestMessage("POST", "/v3/global/customs/orders", NowSeconds(), parsed->nonce_str,
                          req.body),
      parsed->signature));
}

TEST_F(CustomsClientTest, TheDeclareBodyHasTheApiFieldOrderAndIsStable) {
  DeclarationFields d = testing::SplitOrder("20150806125346", "20150806125346");
  d.duty = 888;
  d.order_fee = 888;
  d.transport_fee = 888;
  d.product_fee = 0;
  d.merchant_customs_no = "123456";
  d.customs = "SHANGHAI_ZS";
  // The body of the POST case in the test vectors, byte for byte.
  EXPECT_EQ(CustomsClient::DeclareBody(d),
            R"({"appid":"wxd678efh567hg6787","mchid":"1230000109","out_trade_no":"20150806125346",)"
            R"("transaction_id":"1000320306201511078440737890","customs":"SHANGHAI_ZS",)"
            R"("merchant_customs_no":"123456","duty":888,"sub_order_no":"20150806125346",)"
            R"("fee_type":"CNY","order_fee":888,"transport_fee":888,"product_fee":0})");
  EXPECT_EQ(CustomsClient::DeclareBody(d), CustomsClient::DeclareBody(d));
}

struct OutcomeCase {
  const char* name;
  std::function<TransportResult(const testing::PlatformSigner&, int64_t now)> answer;
  OutcomeClass expected;
  bool slow_down = false;
  bool merchant_level = false;
};

void PrintTo(const OutcomeCase& c, std::ostream* os) { *os << c.name; }

HttpResponse Unsigned(int status, const std::string& body) {
  HttpResponse r;
  r.status = status;
  r.body = body;
  return r;
}

std::vector<OutcomeCase> OutcomeCases() {
  const std::string ok = kDeclareOk;
  auto signed_answer = [](int status, std::string body) {
    return [status, body](const testing::PlatformSigner& p, int64_t now) {
      return Answer(p.Signed(status, body, now));
    };
  };
  return {
      {"ok", signed_answer(200, ok), OutcomeClass::kOk},
      {"unsigned_2xx", [ok](auto&, int64_t) { return Answer(Unsigned(200, ok)); },
       OutcomeClass::kUnknown},
      {"tampered_body",
       [ok](const testing::PlatformSigner& p, int64_t now) {
         HttpResponse r = p.Signed(200, ok, now);
         r.body.replace(r.body.find("UNDECLARED"), 10, "SUCCESS!!!");
         return Answer(r);
       },
       OutcomeClass::kUnknown},
      {"signtest_probe",
       [ok](const testing::PlatformSigner& p, int64_t now) {
         HttpResponse r = p.Signed(200, ok, now);
         for (auto& [k, v] : r.headers) {
           if (k == "Wechatpay-Signature") v = "WECHATPAY/SIGNTEST/" + v.substr(19);
         }
         return Answer(r);
       },
       OutcomeClass::kUnknown},
      {"stale_signature",
       [ok](const testing::PlatformSigner& p, int64_t now) {
         return Answer(p.Signed(200, ok, now - 300));
       },
       OutcomeClass::kUnknown},
      {"truncated_body", signed_answer(200, ok.substr(0, ok.size() / 2)), OutcomeClass::kUnknown},
      {"system_error", signed_answer(500, R"({"code":"SYSTEMERROR","message":"busy"})"),
       OutcomeClass::kRetry},
      {"system_error_unsigned",
       [](auto&, int64_t) { return Answer(Unsigned(500, R"({"code":"SYSTEM_ERROR"})")); },
       OutcomeClass::kRetry},
      {"service_unavailable", signed_answer(503, ""), OutcomeClass::kRetry},
      // The code decides, not the status: WeChat sends SYSTEMERROR on 4xx answers too.
      {"system_error_400", signed_answer(400, R"({"code":"SYSTEMERROR","message":"busy"})"),
       OutcomeClass::kRetry},
      {"system_error_403", signed_answer(403, R"({"code":"SYSTEM_ERROR","message":"busy"})"),
       OutcomeClass::kRetry},
      {"service_unavailable_400", signed_answer(400, R"({"code":"SERVICE_UNAVAILABLE"})"),
       OutcomeClass::kRetry},
      {"system_error_400_unsigned",
       [](auto&, int64_t) { return Answer(Unsigned(400, R"({"code":"SYSTEMERROR"})")); },
       OutcomeClass::kUnknown},
      {"accepted_not_done", signed_answer(202, ""), OutcomeClass::kRetry},
      {"rate_limited", signed_answer(429, R"({"code":"FREQUENCY_LIMITED","message":"slow"})"),
       OutcomeClass::kRetry, /*slow_down=*/true},
      {"not_sent", [](auto&, int64_t) { return NetworkError(TransportErrorKind::kNotSent); },
       OutcomeClass::kRetry},
      {"timeout_after_sending",
       [](auto&, int64_t) { return NetworkError(TransportErrorKind::kUnknown); },
       OutcomeClass::kUnknown},
      {"param_error",
       signed_answer(400, R"({"code":"PARAM_ERROR","message":"bad","detail":{"field":"customs"}})"),
       OutcomeClass::kRefused},
      {"invalid_request", signed_answer(400, R"({"code":"INVALID_REQUEST","message":"use modify"})"),
       OutcomeClass::kRefused},
      {"unsigned_refusal",
       [](auto&, int64_t) { return Answer(Unsigned(400, R"({"code":"PARAM_ERROR"})")); },
       OutcomeClass::kUnknown},
      {"no_auth", signed_answer(403, R"({"code":"NO_AUTH","message":"not registered"})"),
       OutcomeClass::kRefused, false, /*merchant_level=*/true},
      {"customs_not_configured",
       signed_answer(400, R"({"code":"INVALID_REQUEST","message":"Customs information is not configured"})"),
       OutcomeClass::kRefused, false, /*merchant_level=*/true},
      {"sign_error", signed_answer(401, R"({"code":"SIGN_ERROR","message":"bad signature"})"),
       OutcomeClass::kAuthProblem},
  };
}

class DeclareOutcomeTest : public testing::ClientTest,
                           public ::testing::WithParamInterface<OutcomeCase> {};

TEST_P(DeclareOutcomeTest, EachAnswerLandsInItsOutcomeClass) {
  const OutcomeCase& c = GetParam();
  transport_.SetHandler([&](const HttpRequest&) { return c.answer(platform_, NowSeconds()); });
  auto r = client_->Declare(testing::PlainOrder("ORDER1"));
  EXPECT_EQ(r.outcome.cls, c.expected) << r.outcome.ToString();
  EXPECT_EQ(r.value.has_value(), c.expected == OutcomeClass::kOk);
  EXPECT_EQ(r.outcome.slow_down, c.slow_down);
  EXPECT_EQ(r.outcome.merchant_level, c.merchant_level);
}

INSTANTIATE_TEST_SUITE_P(Answers, DeclareOutcomeTest, ::testing::ValuesIn(OutcomeCases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(CustomsClientTest, ARefusalCarriesCodeMessageDetailAndRequestId) {
  AnswerAll(400, R"({"code":"PARAM_ERROR","message":"bad customs","detail":{"field":"customs"}})");
  auto r = client_->Declare(testing::PlainOrder("ORDER1"));
  EXPECT_EQ(r.outcome.http_status, 400);
  EXPECT_EQ(r.outcome.code, "PARAM_ERROR");
  EXPECT_EQ(r.outcome.message, "bad customs");
  EXPECT_EQ(nlohmann::json::parse(r.outcome.detail)["field"], "customs");
  EXPECT_FALSE(r.outcome.request_id.empty());
}

TEST_F(CustomsClientTest, QueryFollowsPagesUntilTotalCount) {
  transport_.SetHandler([this](const HttpRequest& req) {
    const bool first = req.url.find("offset=0&") != std::string::npos;
    nlohmann::json body = {{"transaction_id", "1000320306201511078440737890"},
                           {"total_count", 3},
                           {"offset", first ? 0 : 2},
                           {"limit", 2}};
    body["data"] = nlohmann::json::array();
    for (int i = first ? 0 : 2; i < (first ? 2 : 3); ++i) {
      body["data"].push_back({{"sub_order_no", "S" + std::to_string(i)},
                              {"state", "PROCESSING"},
                              {"customs", "SHANGHAI_ZS"},
                              {"order_fee", 100}});
    }
    return Answer(platform_.Signed(200, body.dump(), NowSeconds()));
  });
  auto r = client_->Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no", "O|1*@",
                           "SHANGHAI_ZS", 2});
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  ASSERT_EQ(r.value->records.size(), 3u);
  EXPECT_EQ(r.value->records[2].sub_order_no, "S2");
  EXPECT_EQ(r.value->records[0].order_fee, 100);
  auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].url.find("order_no=O%7C1%2A%40&"), std::string::npos) << requests[0].url;
  EXPECT_NE(requests[1].url.find("offset=2&limit=2"), std::string::npos) << requests[1].url;
}

// A server that pages as it likes: `cap` records a page whatever limit was asked, `total`
// records in all (sub-orders S0, S1, ...), `claimed` as total_count, and the answered offset
// from `offset_of(asked)`.
struct PagingServer {
  int64_t cap = 2;
  int64_t total = 5;
  int64_t claimed = 5;
  std::function<int64_t(int64_t)> offset_of = [](int64_t asked) { return asked; };

  nlohmann::json Page(const HttpRequest& req) const {
    const auto at = req.url.find("offset=");
    const int64_t asked = std::stoll(req.url.substr(at + 7));
    const int64_t from = offset_of(asked);
    nlohmann::json body = {{"transaction_id", "1000320306201511078440737890"},
                           {"total_count", claimed},
                           {"offset", from},
                           {"limit", cap},
                           {"data", nlohmann::json::array()}};
    for (int64_t i = from; i < std::min(total, from + cap); ++i) {
      body["data"].push_back({{"sub_order_no", "S" + std::to_string(i)},
                              {"state", "SUCCESS"},
                              {"customs", "SHANGHAI_ZS"}});
    }
    return body;
  }
};

TEST_F(CustomsClientTest, AServerThatCapsItsPagesIsFollowedToTotalCount) {
  PagingServer server;  // 2 a page, though 20 are asked for
  transport_.SetHandler([&](const HttpRequest& req) {
    return Answer(platform_.Signed(200, server.Page(req).dump(), NowSeconds()));
  });
  auto r = client_->Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no", "O1",
                           "SHANGHAI_ZS", 20});
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  ASSERT_EQ(r.value->records.size(), 5u);
  EXPECT_TRUE(r.value->complete);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(r.value->records[i].sub_order_no, "S" + std::to_string(i));
  auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_NE(requests[1].url.find("offset=2&limit=20"), std::string::npos) << requests[1].url;
  EXPECT_NE(requests[2].url.find("offset=4&limit=20"), std::string::npos) << requests[2].url;
}

TEST_F(CustomsClientTest, ATotalCountLargerThanWhatIsEverListedStopsPaging) {
  PagingServer server;
  server.claimed = 1000000000;  // lists 5, then empty pages
  transport_.SetHandler([&](const HttpRequest& req) {
    return Answer(platform_.Signed(200, server.Page(req).dump(), NowSeconds()));
  });
  auto r = client_->Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no", "O1",
                           "SHANGHAI_ZS"});
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  EXPECT_EQ(r.value->records.size(), 5u);
  EXPECT_FALSE(r.value->complete);
  EXPECT_EQ(transport_.requests().size(), 4u);  // three pages, then the empty one
}

TEST_F(CustomsClientTest, AServerThatListsNewRecordsForeverIsCutAtThePageBound) {
  PagingServer server;
  server.cap = 1;
  server.total = server.claimed = 1000000000;
  transport_.SetHandler([&](const HttpRequest& req) {
    return Answer(platform_.Signed(200, server.Page(req).dump(), NowSeconds()));
  });
  auto r = client_->Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no", "O1",
                           "SHANGHAI_ZS"});
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  EXPECT_FALSE(r.value->complete);
  EXPECT_EQ(transport_.requests().size(), static_cast<size_t>(kMaxQueryPages));
}

TEST_F(CustomsClientTest, AnOffsetThatDoesNotAdvanceStopsPagingWithoutDuplicates) {
  PagingServer server;
  server.offset_of = [](int64_t) { return 0; };  // always the first page
  transport_.SetHandler([&](const HttpRequest& req) {
    return Answer(platform_.Signed(200, server.Page(req).dump(), NowSeconds()));
  });
  auto r = client_->Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no", "O1",
                           "SHANGHAI_ZS"});
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  EXPECT_EQ(r.value->records.size(), 2u);
  EXPECT_FALSE(r.value->complete);
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(CustomsClientTest, APageWithoutOffsetRepeatingItsRecordsStops) {
  AnswerAll(200, R"({"total_count":1000000000,"data":[{"state":"SUCCESS","customs":"SHANGHAI_ZS"}]})");
  auto r = client_->Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no", "O1",
                           "SHANGHAI_ZS"});
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  EXPECT_EQ(r.value->records.size(), 1u);
  EXPECT_FALSE(r.value->complete);
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(CustomsClientTest, ACountedButEmptyAnswerIsNotNotFound) {
  AnswerAll(200, R"({"total_count":3,"offset":0,"limit":20,"data":[]})");
  auto r = client_->Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no", "O1",
                           "SHANGHAI_ZS"});
  EXPECT_EQ(r.outcome.cls, OutcomeClass::kRetry) << r.outcome.ToString();
}

TEST_F(CustomsClientTest, StatesInAnyCasingAreReadAsWeChatsStates) {
  AnswerAll(200, R"({"total_count":1,"data":[{"state":" success","customs":"SHANGHAI_ZS"}]})");
  auto r = client_->Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no", "O1",
                           "SHANGHAI_ZS"});
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  EXPECT_EQ(r.value->records[0].state, "SUCCESS");
  AnswerAll(200, R"({"appid":"a","mchid":"m","state":"Processing","out_trade_no":"O1"})");
  auto d = client_->Declare(testing::PlainOrder("O1"));
  ASSERT_TRUE(d.outcome.ok()) << d.outcome.ToString();
  EXPECT_EQ(d.value->state, "PROCESSING");
}

TEST_F(CustomsClientTest, EveryNotFoundSpellingOfAQueryIsNotFound) {
  for (auto [status, body] : std::vector<std::pair<int, std::string>>{
           {404, R"({"code":"ORDER_NOT_EXIST","message":"no"})"},
           {404, R"({"code":"RESOURCE_NOT_EXISTS","message":"no"})"},
           {400, R"({"code":"INVALID_REQUEST","message":"record does not exist"})"},
           {200, R"({"total_count":0,"data":[]})"}}) {
    AnswerAll(status, body);
    auto r = client_->Query({testing::kTestAppid, testing::kTestMchid, "out_trade_no", "X",
                             "SHANGHAI_ZS"});
    EXPECT_EQ(r.outcome.cls, OutcomeClass::kNotFound) << body << ": " << r.outcome.ToString();
  }
}

TEST_F(CustomsClientTest, AnUnknownSerialIsRefreshedOnceThenRefused) {
  HttpResponse answer = platform_.Signed(200, kDeclareOk, NowSeconds());
  for (auto& [k, v] : answer.headers) {
    if (k == "Wechatpay-Serial") v = "UNKNOWNSERIAL";
  }
  transport_.SetHandler([&](const HttpRequest&) { return Answer(answer); });
  auto r = client_->Declare(testing::PlainOrder("ORDER1"));
  EXPECT_EQ(r.outcome.cls, OutcomeClass::kUnknown);
  EXPECT_NE(r.outcome.message.find("unknown"), std::string::npos) << r.outcome.message;
  EXPECT_EQ(caller_->verification_failures(), 1);
}

TEST(CanonicalErrorCodeTest, MatchesSpellingsTolerantly) {
  EXPECT_EQ(CanonicalErrorCode("SYSTEMERROR"), "SYSTEM_ERROR");
  EXPECT_EQ(CanonicalErrorCode("system_error"), "SYSTEM_ERROR");
  EXPECT_EQ(CanonicalErrorCode("FREQUENCY_LIMITED"), "RATE_LIMITED");
  EXPECT_EQ(CanonicalErrorCode("RATELIMIT_EXCEEDED"), "RATE_LIMITED");
  EXPECT_EQ(CanonicalErrorCode("NOAUTH"), "NO_AUTH");
  EXPECT_EQ(CanonicalErrorCode("RESOURCE_NOT_EXISTS"), "NOT_FOUND");
  EXPECT_EQ(CanonicalErrorCode("ORDERNOTEXIST"), "NOT_FOUND");
  EXPECT_EQ(CanonicalErrorCode("SOMETHING_NEW"), "SOMETHINGNEW");
}

// README: SYSTEMERROR means "try again", whatever HTTP status carries it.
TEST(ClassifyHttpAnswerTest, ASignedSystemErrorOnA4xxIsRetriedInEverySpelling) {
  for (int status : {400, 403}) {
    for (const char* code : {"SYSTEMERROR", "SYSTEM_ERROR", "system_error", "SERVICE_UNAVAILABLE",
                             "SERVICEUNAVAILABLE"}) {
      const std::string body = std::string(R"({"code":")") + code + R"(","message":"busy"})";
      for (bool is_query : {false, true}) {
        ApiOutcome o = ClassifyHttpAnswer(status, body, "rid", /*verified=*/true, is_query);
        EXPECT_EQ(o.cls, OutcomeClass::kRetry) << status << " " << code << " " << o.ToString();
        EXPECT_EQ(o.code, code);
        EXPECT_EQ(o.http_status, status);
        EXPECT_FALSE(o.merchant_level);
      }
    }
  }
}

TEST(ClassifyHttpAnswerTest, AnUnsignedSystemErrorOnA4xxStaysUnknown) {
  for (int status : {400, 403}) {
    for (const char* code : {"SYSTEMERROR", "SYSTEM_ERROR"}) {
      const std::string body = std::string(R"({"code":")") + code + R"("})";
      ApiOutcome o = ClassifyHttpAnswer(status, body, "rid", /*verified=*/false, false);
      EXPECT_EQ(o.cls, OutcomeClass::kUnknown) << status << " " << code;
    }
  }
}

TEST(ClassifyHttpAnswerTest, OtherSigned4xxCodesAreStillRefusals) {
  ApiOutcome o = ClassifyHttpAnswer(400, R"({"code":"PARAM_ERROR"})", "rid", true, false);
  EXPECT_EQ(o.cls, OutcomeClass::kRefused);
  o = ClassifyHttpAnswer(403, R"({"code":"INVALID_REQUEST"})", "rid", true, false);
  EXPECT_EQ(o.cls, OutcomeClass::kRefused);
}

}  // namespace
}  // namespace customsd
