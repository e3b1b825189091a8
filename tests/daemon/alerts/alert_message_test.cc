// The webhook bodies, byte for byte where the receivers care, and how answers are read.
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

const std::string kText = std::string("customsd alert 7 (FAIL): ") + kSummary;

TEST(AlertMessageTest, GenericCarriesEveryFieldWithDetailsAsAnObject) {
  const std::string body = WebhookBody(DeclarationAlert(), WebhookFormat::kGeneric);
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
  json j = json::parse(WebhookBody(a, WebhookFormat::kGeneric));
  EXPECT_TRUE(j["declaration_id"].is_null());
  EXPECT_TRUE(j["mchid"].is_null());
  EXPECT_EQ(j["details"], json::object());
  a.details = "not json";
  j = json::parse(WebhookBody(a, WebhookFormat::kGeneric));
  EXPECT_EQ(j["details"], (json{{"text", "not json"}}));
}

TEST(AlertMessageTest, WecomAndDingtalkAreTextMessages) {
  const std::string expected = json{{"msgtype", "text"}, {"text", {{"content", kText}}}}.dump();
  EXPECT_EQ(WebhookBody(DeclarationAlert(), WebhookFormat::kWecom), expected);
  EXPECT_EQ(WebhookBody(DeclarationAlert(), WebhookFormat::kDingtalk), expected);
  EXPECT_EQ(expected.substr(0, 46), R"({"msgtype":"text","text":{"content":"customsd )");
}

TEST(AlertMessageTest, SlackIsOneTextFieldWithItsControlCharactersEscaped) {
  EXPECT_EQ(WebhookBody(DeclarationAlert(), WebhookFormat::kSlack), (json{{"text", kText}}.dump()));
  PendingAlert a = DeclarationAlert();
  a.summary = "a <b> & c";
  EXPECT_EQ(WebhookBody(a, WebhookFormat::kSlack),
            R"({"text":"customsd alert 7 (FAIL): a &lt;b&gt; &amp; c"})");
}

TEST(AlertMessageTest, ChatTextsAreCutOnAUtf8Boundary) {
  PendingAlert a = DeclarationAlert();
  a.summary.clear();
  for (int i = 0; i < 1000; ++i) a.summary += "海关";  // 3 bytes each
  const std::string content =
      json::parse(WebhookBody(a, WebhookFormat::kWecom))["text"]["content"].get<std::string>();
  EXPECT_LE(content.size(), kChatTextLimit);
  EXPECT_GT(content.size(), kChatTextLimit - 3);
  std::string dumped;
  EXPECT_NO_THROW(dumped = (json{{"c", content}}.dump()));  // strict: throws on invalid UTF-8
  // Generic keeps the whole summary.
  EXPECT_EQ(json::parse(WebhookBody(a, WebhookFormat::kGeneric))["summary"], a.summary);
}

TEST(AlertMessageTest, InvalidUtf8DoesNotMakeAnAlertUndeliverable) {
  PendingAlert a = DeclarationAlert();
  a.summary = "bad \xff byte";
  EXPECT_NO_THROW((void)WebhookBody(a, WebhookFormat::kGeneric));
  EXPECT_NE(WebhookBody(a, WebhookFormat::kSlack).find("bad \xEF\xBF\xBD byte"), std::string::npos);
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
  // Other formats do not read the body of a 2xx.
  EXPECT_TRUE(CheckWebhookAnswer(Response(200, R"({"errcode":1})"), WebhookFormat::kGeneric).ok());
}

TEST(AlertMessageTest, FormatNames) {
  EXPECT_EQ(ParseWebhookFormat("generic"), WebhookFormat::kGeneric);
  EXPECT_EQ(ParseWebhookFormat("wecom"), WebhookFormat::kWecom);
  EXPECT_EQ(ParseWebhookFormat("dingtalk"), WebhookFormat::kDingtalk);
  EXPECT_EQ(ParseWebhookFormat("slack"), WebhookFormat::kSlack);
  EXPECT_EQ(ParseWebhookFormat("Slack"), std::nullopt);
}

}  // namespace
}  // namespace customsd
