// Every webhook_format through the real deliverer and CurlTransport to a receiver that
// validates the payload as the real robot's documentation says (chat_receivers.h), with
// mentions and signatures; then the limits, the refusals and the flood digest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/alerts/alert_deliverer.h"
#include "tests/daemon/alerts/alert_test_support.h"
#include "tests/daemon/alerts/chat_receivers.h"
#include "wechatpay/curl_transport.h"

namespace customsd {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr char kDingtalkSecret[] =
    "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";
constexpr char kFeishuSecret[] = "feishu-signing-secret-0123456789";

class ChatFormatsTest : public ::testing::Test {
 protected:
  ChatFormatsTest()
      : receiver_({kDingtalkSecret, "customsd", kFeishuSecret,
                   [this] { return UnixMillis(clock_.Now()) + receiver_skew_ms_; }}) {}

  // A deliverer for `route` as the operator would configure it.
  std::unique_ptr<AlertDeliverer> Deliverer(const std::string& route,
                                            std::vector<std::string> mention = {},
                                            std::string secret = "") {
    config_.webhook_url = receiver_.Url(route);
    config_.webhook_format = route;
    config_.mention = std::move(mention);
    AlertDelivererOptions options;
    options.webhook_secret = std::move(secret);
    return std::make_unique<AlertDeliverer>(*db_, config_, transport_, clock_, random_, runner_,
                                            options);
  }
  int64_t Now() { return UnixMillis(clock_.Now()); }
  int64_t AddOne(const std::string& cause = "FAIL") {
    // Distinct times (the test dedupe key holds it), all in the past so all due now.
    return testing::AddAlert(*db_, cause, Now() - 1000 + next_++);
  }

  testing::CapturedLog log_;
  testing::TempDir dir_;
  FakeClock clock_{testing::TestEpoch()};
  int64_t receiver_skew_ms_ = 0;
  testing::ChatReceiver receiver_;
  std::unique_ptr<Database> db_ = testing::OpenMigrated(dir_.File("customsd.db"));
  Config::Alerts config_;
  CurlTransport transport_{CurlTransportOptions{}};
  testing::FixedRandom random_{0.5};
  testing::FakeCommandRunner runner_;
  int next_ = 0;
};

struct FormatCase {
  std::string route;
  std::vector<std::string> mention;
  std::string secret;
  std::vector<std::string> expected_mentioned;
};

void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.route; }

class EachFormatTest : public ChatFormatsTest, public ::testing::WithParamInterface<FormatCase> {};

TEST_P(EachFormatTest, IsAcceptedByAReceiverThatValidatesItAndMentionsThePeople) {
  const FormatCase& c = GetParam();
  const int64_t id = AddOne();
  EXPECT_EQ(Deliverer(c.route, c.mention, c.secret)->RunOnce(), 1);
  EXPECT_TRUE(receiver_.refusals().empty()) << receiver_.refusals().front();
  ASSERT_EQ(receiver_.accepted().size(), 1u);
  const testing::ChatMessage m = receiver_.accepted()[0];
  EXPECT_NE(m.text.find("needs attention: FAIL. Next: look"), std::string::npos) << m.text;
  EXPECT_EQ(m.mentioned, c.expected_mentioned);
  if (c.route != "generic") {
    EXPECT_NE(m.text.find("customsd alerts ack " + std::to_string(id)), std::string::npos);
  }
  EXPECT_TRUE(testing::ReadAlertRow(*db_, id).delivered_at.has_value());
  EXPECT_EQ(log_.text().find(kDingtalkSecret), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Formats, EachFormatTest,
    ::testing::Values(FormatCase{"wecom", {"zhangsan", "lisi"}, "", {"zhangsan", "lisi"}},
                      FormatCase{"dingtalk",
                                 {"13800000000", "manager01"},
                                 kDingtalkSecret,
                                 {"13800000000", "manager01"}},
                      FormatCase{"dingtalk", {"all"}, kDingtalkSecret, {"all"}},
                      FormatCase{
                          "feishu", {"ou_0123abcd", "all"}, kFeishuSecret, {"ou_0123abcd", "all"}},
                      FormatCase{"slack", {"U024BE7LH", "here"}, "", {"U024BE7LH", "here"}},
                      FormatCase{"generic", {}, "", {}}),
    [](const ::testing::TestParamInfo<FormatCase>& info) {
      return info.param.route + std::to_string(info.index);
    });

TEST_F(ChatFormatsTest, ADingtalkSignatureWithTheWrongSecretIsRefusedAndRetried) {
  const int64_t id = AddOne();
  const std::string wrong = "SECwrong0123456789abcdef";
  EXPECT_EQ(Deliverer("dingtalk", {}, wrong)->RunOnce(), 0);
  ASSERT_EQ(receiver_.refusals().size(), 1u);
  EXPECT_EQ(receiver_.refusals()[0], "dingtalk: 310000 sign not match");
  const testing::AlertRow row = testing::ReadAlertRow(*db_, id);
  EXPECT_FALSE(row.delivered_at.has_value());
  EXPECT_EQ(row.last_error, "webhook: errcode 310000: sign not match");
  EXPECT_GT(row.next_attempt_at, Now());
  EXPECT_EQ(log_.text().find(wrong), std::string::npos);
}

TEST_F(ChatFormatsTest, AnUnsignedRequestToASignedRobotIsRefused) {
  AddOne();
  EXPECT_EQ(Deliverer("dingtalk")->RunOnce(), 0);
  AddOne();  // the first waits for its retry
  EXPECT_EQ(Deliverer("feishu")->RunOnce(), 0);
  EXPECT_EQ(receiver_.refusals(),
            (std::vector<std::string>{"dingtalk: 310000 sign not match: missing",
                                      "feishu: 19021 sign match fail or timestamp is not within "
                                      "one hour from current time"}));
}

TEST_F(ChatFormatsTest, ASignatureDatedMoreThanAnHourFromTheReceiversClockIsRefused) {
  AddOne();
  receiver_skew_ms_ = 2 * 3'600'000;  // our clock is two hours behind the robot's
  EXPECT_EQ(Deliverer("dingtalk", {}, kDingtalkSecret)->RunOnce(), 0);
  AddOne();
  EXPECT_EQ(Deliverer("feishu", {}, kFeishuSecret)->RunOnce(), 0);
  ASSERT_EQ(receiver_.refusals().size(), 2u);
  EXPECT_EQ(receiver_.refusals()[0], "dingtalk: 310000 invalid timestamp");
  EXPECT_EQ(receiver_.refusals()[1].substr(0, 13), "feishu: 19021");
}

TEST_F(ChatFormatsTest, ALongSummaryIsCutToWhatEachReceiverTakes) {
  NewAlert a;
  a.mchid = testing::kTestMchid;
  a.cause = "FAIL";
  a.dedupe_key = "long";
  for (int i = 0; i < 3000; ++i) a.summary += "海关";  // 9000 bytes, 6000 characters
  a.created_at = Now();
  ASSERT_TRUE(db_->Write([&](SQLite::Database& sql) {
                   InsertAlertIn(sql, a);
                   return Status::Ok();
                 })
                  .ok());
  for (const std::string route : {"wecom", "dingtalk", "feishu", "slack", "generic"}) {
    SCOPED_TRACE(route);
    // Each deliverer gets the alert anew: a fresh database row per route.
    ASSERT_TRUE(db_->Write([&](SQLite::Database& sql) {
                     sql.exec("UPDATE alerts SET delivered_at = NULL, next_attempt_at = 0");
                     return Status::Ok();
                   })
                    .ok());
    EXPECT_EQ(Deliverer(route, {},
                        route == "dingtalk" ? kDingtalkSecret
                        : route == "feishu" ? kFeishuSecret
                                            : "")
                  ->RunOnce(),
              1);
  }
  EXPECT_TRUE(receiver_.refusals().empty()) << receiver_.refusals().front();
  ASSERT_EQ(receiver_.accepted().size(), 5u);
  EXPECT_LE(receiver_.accepted()[0].text.size(), 4096u);          // WeCom's markdown limit
  EXPECT_EQ(receiver_.accepted()[4].body["summary"], a.summary);  // generic keeps it whole
}

TEST_F(ChatFormatsTest, SlackEscapesWhatWouldOtherwiseReadAsAMentionOrALink) {
  NewAlert a;
  a.cause = "FAIL";
  a.dedupe_key = "markup";
  a.summary = "WeChat said <!channel> & <http://x|click>";
  a.created_at = Now();
  ASSERT_TRUE(db_->Write([&](SQLite::Database& sql) {
                   InsertAlertIn(sql, a);
                   return Status::Ok();
                 })
                  .ok());
  EXPECT_EQ(Deliverer("slack")->RunOnce(), 1);
  ASSERT_EQ(receiver_.accepted().size(), 1u);
  EXPECT_TRUE(receiver_.accepted()[0].mentioned.empty());
  EXPECT_NE(receiver_.accepted()[0].text.find("&lt;!channel&gt; &amp; &lt;http://x|click&gt;"),
            std::string::npos);
}

TEST_F(ChatFormatsTest, AFloodBeyondTheLimitWaitsForOneDailyDigest) {
  config_.digest = "daily";
  config_.digest_at = "09:00";
  config_.flood_limit = 3;
  std::vector<int64_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(AddOne(i % 2 ? "attention" : "FAIL"));
  auto deliverer = Deliverer("wecom", {"zhangsan"});
  EXPECT_EQ(deliverer->RunOnce(), 3);
  EXPECT_EQ(receiver_.accepted().size(), 3u);
  const int64_t nine = UnixMillis(testing::TestEpoch()) + 9 * 3'600'000;  // 09:00 UTC that day
  for (size_t i = 3; i < ids.size(); ++i) {
    const testing::AlertRow row = testing::ReadAlertRow(*db_, ids[i]);
    EXPECT_FALSE(row.delivered_at.has_value());
    EXPECT_EQ(row.next_attempt_at, nine);
    EXPECT_EQ(row.last_error.value_or("").rfind("held for the daily digest at 09:00 UTC", 0), 0u);
  }
  // Every alert is in the log at once, held or not.
  EXPECT_NE(log_.text().find("alert " + std::to_string(ids.back()) + " (attention)"),
            std::string::npos);

  clock_.Advance(1h);
  EXPECT_EQ(deliverer->RunOnce(), 0);  // the hour passed, but the held ones wait for 09:00
  clock_.Set(FromUnixMillis(nine));
  EXPECT_EQ(deliverer->RunOnce(), 7);
  ASSERT_EQ(receiver_.accepted().size(), 4u);
  const testing::ChatMessage digest = receiver_.accepted()[3];
  EXPECT_NE(digest.text.find("customsd digest: 7 alerts"), std::string::npos) << digest.text;
  EXPECT_NE(digest.text.find("by cause: FAIL: 3, attention: 4"), std::string::npos);
  EXPECT_NE(digest.text.find("#" + std::to_string(ids[3]) + " attention"), std::string::npos);
  EXPECT_EQ(digest.mentioned, std::vector<std::string>{"zhangsan"});
  for (int64_t id : ids) EXPECT_TRUE(testing::ReadAlertRow(*db_, id).delivered_at.has_value());
  EXPECT_TRUE(receiver_.refusals().empty());
}

TEST_F(ChatFormatsTest, ADigestRunsTheCommandOnceAndSkipsAChannelThatAlreadyHasIt) {
  config_.digest = "daily";
  config_.flood_limit = 1;
  config_.command = "/usr/local/bin/page-ops";
  for (int i = 0; i < 4; ++i) AddOne();
  auto deliverer = Deliverer("generic");
  EXPECT_EQ(deliverer->RunOnce(), 1);
  // The command refuses the digest once: the webhook, which accepted it, is not sent again.
  int refusals = 1;
  runner_.answer = [&](const PendingAlert& a) {
    return a.cause == "digest" && refusals-- > 0 ? Status::Unavailable("exited with status 1")
                                                 : Status::Ok();
  };
  clock_.Set(FromUnixMillis(UnixMillis(testing::TestEpoch()) + 9 * 3'600'000));
  EXPECT_EQ(deliverer->RunOnce(), 0);
  ASSERT_EQ(receiver_.accepted().size(), 2u);
  EXPECT_EQ(receiver_.accepted()[1].body["count"], 3);
  clock_.Advance(1h);
  EXPECT_EQ(deliverer->RunOnce(), 3);
  EXPECT_EQ(receiver_.accepted().size(), 2u);                // not repeated
  EXPECT_EQ(runner_.runs, (std::vector<int64_t>{1, 0, 0}));  // alert 1 alone, then the digest twice
}

}  // namespace
}  // namespace customsd
