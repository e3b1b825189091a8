// The generic body, byte for byte where receivers care, and how answers are read. The chat
// formats are held against validating receivers in chat_formats_test.cc.
#include "daemon/alerts/alert_message.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace customsd {
namespace {

using nlohmann::json;

constexpr char kSummary[] =
    "customs declaration 1230000109/ORDER-1//SHANGHAI_ZS (id 42) needs attention: customs "
    "declaration FAILED: bad id. Next: correct the order data";

PendingAlert DeclarationAlert() {
  PendingAlert a;
  a.id = 7;
  a.declaration_id = 42;
  a.mchid = "1230000109";
  a.cause = "FAIL";
  a.dedupe_key = "declaration:42:FAIL";
  a.summary = kSummary;
  a.details = R"({"id":42,"why":"bad id"})";
  a.created_at = 1795305600123;  // 2026-11-22T00:00:00.123Z
  return a;
}

TEST(AlertMessageTest, GenericCarriesEveryFieldWithDetailsAsAnObject) {
  const std::string body = GenericAlertBody(DeclarationAlert());
  EXPECT_EQ(json::parse(body), (json{{"id", 7},
                                     {"cause", "FAIL"},
                                     {"summary", kSummary},
                                     {"details", {{"id", 42}, {"why", "bad id"}}},
                                     {"mchid", "1230000109"},
                                     {"declaration_id", 42},
                                     {"created_at", "2026-11-22T00:00:00Z"}}));
}

TEST(AlertMessageTest, GenericUsesNullsForMissingKeysAndKeepsOddDetails) {
  PendingAlert a = DeclarationAlert();
  a.declaration_id.reset();
  a.mchid.clear();
  a.details.clear();
  json j = json::parse(GenericAlertBody(a));
  EXPECT_TRUE(j["declaration_id"].is_null());
  EXPECT_TRUE(j["mchid"].is_null());
  EXPECT_EQ(j["details"], json::object());
  a.details = "not json";
  j = json::parse(GenericAlertBody(a));
  EXPECT_EQ(j["details"], (json{{"text", "not json"}}));
}

TEST(AlertMessageTest, GenericKeepsTheWholeSummaryAndADigestListsEveryAlert) {
  PendingAlert a = DeclarationAlert();
  a.summary.clear();
  for (int i = 0; i < 1000; ++i) a.summary += "海关";  // 3 bytes each, past every chat limit
  EXPECT_EQ(json::parse(GenericAlertBody(a))["summary"], a.summary);
  PendingAlert b = DeclarationAlert();
  b.id = 8;
  const json digest = json::parse(GenericDigestBody({a, b}));
  EXPECT_EQ(digest["digest"], true);
  EXPECT_EQ(digest["count"], 2);
  EXPECT_EQ(digest["alerts"][1]["id"], 8);
  EXPECT_EQ(digest["alerts"][0], json::parse(GenericAlertBody(a)));
}

TEST(AlertMessageTest, InvalidUtf8DoesNotMakeAnAlertUndeliverable) {
  PendingAlert a = DeclarationAlert();
  a.summary = "bad \xff byte";
  std::string body;
  EXPECT_NO_THROW(body = GenericAlertBody(a));
  EXPECT_NE(body.find("bad \xEF\xBF\xBD byte"), std::string::npos);
}

HttpResponse Response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(AlertMessageTest, AnyTwoHundredIsAcceptedAndAnythingElseIsNot) {
  EXPECT_TRUE(CheckWebhookAnswer(Response(200, "ok"), WebhookFormat::kSlack).ok());
  EXPECT_TRUE(CheckWebhookAnswer(Response(204, ""), WebhookFormat::kGeneric).ok());
  Status s = CheckWebhookAnswer(Response(500, "oops\nline two"), WebhookFormat::kGeneric);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "HTTP 500: oops\\nline two");
  EXPECT_EQ(CheckWebhookAnswer(Response(302, ""), WebhookFormat::kSlack).message(), "HTTP 302");
  Status long_body =
      CheckWebhookAnswer(Response(400, std::string(5000, 'x')), WebhookFormat::kSlack);
  EXPECT_LT(long_body.message().size(), 300u);
}

TEST(AlertMessageTest, RobotsRefuseWithANonZeroErrcode) {
  for (WebhookFormat f : {WebhookFormat::kWecom, WebhookFormat::kDingtalk}) {
    EXPECT_TRUE(CheckWebhookAnswer(Response(200, R"({"errcode":0,"errmsg":"ok"})"), f).ok());
    EXPECT_TRUE(CheckWebhookAnswer(Response(200, "not json"), f).ok());
    Status s = CheckWebhookAnswer(Response(200, R"({"errcode":93000,"errmsg":"invalid key"})"), f);
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.message(), "errcode 93000: invalid key");
  }
  // Feishu/Lark bots: {"code", "msg"}, and the older {"StatusCode", "StatusMessage"}.
  const WebhookFormat feishu = WebhookFormat::kFeishu;
  EXPECT_TRUE(CheckWebhookAnswer(Response(200, R"({"code":0,"data":{},"msg":"success"})"), feishu).ok());
  EXPECT_TRUE(CheckWebhookAnswer(Response(200, R"({"StatusCode":0,"StatusMessage":"success"})"), feishu).ok());
  EXPECT_EQ(CheckWebhookAnswer(Response(200, R"({"code":19021,"data":{},"msg":"sign match fail"})"), feishu)
                .message(),
            "code 19021: sign match fail");
  // Other formats do not read the body of a 2xx.
  EXPECT_TRUE(CheckWebhookAnswer(Response(200, R"({"errcode":1})"), WebhookFormat::kGeneric).ok());
}

TEST(AlertMessageTest, FormatNames) {
  EXPECT_EQ(ParseWebhookFormat("generic"), WebhookFormat::kGeneric);
  EXPECT_EQ(ParseWebhookFormat("wecom"), WebhookFormat::kWecom);
  EXPECT_EQ(ParseWebhookFormat("dingtalk"), WebhookFormat::kDingtalk);
  EXPECT_EQ(ParseWebhookFormat("feishu"), WebhookFormat::kFeishu);
  EXPECT_EQ(ParseWebhookFormat("lark"), WebhookFormat::kFeishu);
  EXPECT_EQ(ParseWebhookFormat("slack"), WebhookFormat::kSlack);
  EXPECT_EQ(ParseWebhookFormat("Slack"), std::nullopt);
}

}  // namespace
}  // namespace customsd
