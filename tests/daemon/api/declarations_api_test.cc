#include "daemon/api/declarations_api.h"

#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <thread>

#include "common/time_format.h"
#include "daemon/config/intake_options.h"
#include "storage/group_writer.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/openapi_check.h"

namespace customsd {
namespace {

using Json = nlohmann::json;
using testing::PlainOrder;
using testing::SplitOrder;

Json AsJson(const DeclarationFields& f) {
  Json j = Json::object();
  PutDeclarationFields(j, f);
  return j;
}

// "/v1/declarations/7/retry" -> "/v1/declarations/{id}/retry": the document's path.
std::string TemplateOf(const std::string& path) {
  return std::regex_replace(path, std::regex("/v1/declarations/[^/]+"), "/v1/declarations/{id}");
}

class DeclarationsApiTest : public testing::StoreTest {
 protected:
  DeclarationsApiTest() {
    Config config;
    MerchantConfig m;
    m.mchid = testing::kTestMchid;
    m.appid = testing::kTestAppid;
    config.merchants.push_back(m);
    options_.intake = IntakeOptionsFor(config, IntakeFormat::kJsonLines);
    options_.on_new_work = [this] { ++woken_; };
    api_ = std::make_unique<DeclarationsApi>(*db_, clock_, options_);
  }

  // Every answer is held against the checked-in OpenAPI document.
  ApiResponse Call(const std::string& method, const std::string& path, const std::string& body = "",
                   std::multimap<std::string, std::string> params = {},
                   const std::string& content_type = "application/json",
                   const std::string& key = "") {
    ApiRequest r{method, path, std::move(params), content_type, key, body};
    ApiResponse answer = api_->Handle(r);
    std::string lower = method;
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    EXPECT_EQ(testing::OpenApiMismatch(lower, TemplateOf(path), answer.status, answer.body), "")
        << method << " " << path << " answered " << answer.status << " " << answer.body.dump();
    return answer;
  }
  ApiResponse Post(const Json& body, const std::string& key = "") {
    return Call("POST", "/v1/declarations", body.dump(), {}, "application/json", key);
  }
  int64_t Count() {
    auto stats = store_.List({});
    return stats.ok() ? static_cast<int64_t>(stats->size()) : -1;
  }

  DeclarationsApi::Options options_;
  std::unique_ptr<DeclarationsApi> api_;
  int woken_ = 0;
};

TEST_F(DeclarationsApiTest, APostedObjectIsStoredAndTheDaemonWoken) {
  ApiResponse a = Post(AsJson(PlainOrder("A1")));
  ASSERT_EQ(a.status, 201) << a.body.dump();
  EXPECT_EQ(a.body["created"], 1);
  EXPECT_EQ(a.body["declarations"][0]["result"], "created");
  EXPECT_EQ(a.body["declarations"][0]["index"], 0);
  EXPECT_EQ(Count(), 1);
  EXPECT_EQ(woken_, 1);
  ApiResponse again = Post(AsJson(PlainOrder("A1")));
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(again.body["declarations"][0]["result"], "already_present");
  EXPECT_EQ(again.body["declarations"][0]["id"], a.body["declarations"][0]["id"]);
  EXPECT_EQ(woken_, 1) << "nothing new, nothing to wake for";
}

// The daemon's API posts through a GroupWriter: posts from many threads share transactions,
// and one that conflicts must be refused alone, the others stored.
TEST_F(DeclarationsApiTest, ConcurrentPostsThroughTheGroupWriterAreEachAllOrNothing) {
  AddOne(PlainOrder("KNOWN"));
  DeclarationFields conflicting = PlainOrder("KNOWN");
  conflicting.merchant_customs_no = "OTHER00001";
  GroupWriter writer(testing::OpenMigrated(dir_.File("customsd.db")));
  std::atomic<int> woken{0}, created{0}, conflicts{0}, other{0};
  DeclarationsApi::Options options = options_;
  options.on_new_work = [&] { ++woken; };
  options.intake_writer = &writer;
  DeclarationsApi api(*db_, clock_, options);
  constexpr int kThreads = 8, kPosts = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPosts; ++i) {
        Json body =
            Json::array({AsJson(PlainOrder("T" + std::to_string(t) + "N" + std::to_string(i)))});
        if (t == 3 && i == 7) body.push_back(AsJson(conflicting));
        ApiRequest r{"POST", "/v1/declarations", {}, "application/json", "", body.dump()};
        const int status = api.Handle(r).status;
        (status == 201 ? created : status == 409 ? conflicts : other)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), kThreads * kPosts - 1);
  EXPECT_EQ(conflicts.load(), 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(woken.load(), kThreads * kPosts - 1);
  // The refused post's good record went with it; every other post's record is there.
  EXPECT_EQ(Count(), 1 + kThreads * kPosts - 1);
  auto refused_partner = store_.Find(KeyOf(PlainOrder("T3N7")));
  ASSERT_TRUE(refused_partner.ok());
  EXPECT_FALSE(refused_partner->has_value());
  EXPECT_EQ(writer.counts().writes, kThreads * kPosts);
}

TEST_F(DeclarationsApiTest, AnArrayOfPlainAndSplitOrdersIsStoredWhole) {
  Json body = {AsJson(PlainOrder("A1")), AsJson(SplitOrder("S1", "S1-1")),
               AsJson(SplitOrder("S1", "S1-2"))};
  ApiResponse a = Post(body);
  ASSERT_EQ(a.status, 201) << a.body.dump();
  EXPECT_EQ(a.body["created"], 3);
  EXPECT_EQ(a.body["declarations"][2]["sub_order_no"], "S1-2");
  EXPECT_EQ(Count(), 3);
}

TEST_F(DeclarationsApiTest, JsonLinesAreNamedByLine) {
  std::string text = AsJson(PlainOrder("A1")).dump() + "\n\n" + AsJson(PlainOrder("A2")).dump();
  ApiResponse a = Call("POST", "/v1/declarations", text, {}, "application/x-ndjson");
  ASSERT_EQ(a.status, 201) << a.body.dump();
  EXPECT_EQ(a.body["declarations"][1]["line"], 3);
  EXPECT_TRUE(a.body["declarations"][1]["index"].is_null());
}

TEST_F(DeclarationsApiTest, OneBadRecordAmongAThousandStoresNothingAndIsNamed) {
  Json body = Json::array();
  for (int i = 0; i < 1000; ++i) body.push_back(AsJson(PlainOrder("B" + std::to_string(i))));
  body[617]["transaction_id"] = "not digits";
  ApiResponse a = Post(body);
  ASSERT_EQ(a.status, 400);
  ASSERT_EQ(a.body["problems"].size(), 1u) << a.body.dump();
  EXPECT_EQ(a.body["problems"][0]["index"], 617);
  EXPECT_EQ(a.body["problems"][0]["field"], "transaction_id");
  EXPECT_NE(a.body["error"].get<std::string>().find("record 617: transaction_id"),
            std::string::npos)
      << a.body["error"];
  EXPECT_EQ(Count(), 0);
}

TEST_F(DeclarationsApiTest, AKnownKeyWithOtherContentIsAConflictNamingIt) {
  ASSERT_EQ(Post(AsJson(PlainOrder("A1"))).status, 201);
  DeclarationFields changed = PlainOrder("A1");
  changed.duty = 999;
  ApiResponse a = Post(Json{AsJson(PlainOrder("A2")), AsJson(changed)});
  ASSERT_EQ(a.status, 409);
  EXPECT_EQ(a.body["problems"][0]["index"], 1);
  EXPECT_NE(a.body["error"].get<std::string>().find("PATCH /v1/declarations/1"), std::string::npos)
      << a.body["error"];
  EXPECT_EQ(Count(), 1) << "A2 was not stored either";
}

TEST_F(DeclarationsApiTest, BodiesThatAreNotDeclarationsAreRefusedWithNothingStored) {
  EXPECT_EQ(Call("POST", "/v1/declarations", "{\"out_trade_no\": ").status, 400);
  EXPECT_EQ(Call("POST", "/v1/declarations", "[]").status, 400);
  EXPECT_EQ(Call("POST", "/v1/declarations", "[1]").status, 400);
  EXPECT_EQ(Call("POST", "/v1/declarations", std::string(100, '[')).status, 400);
  ApiResponse utf8 = Call("POST", "/v1/declarations", "{\"out_trade_no\": \"\xff\"}");
  EXPECT_EQ(utf8.status, 400);
  EXPECT_NE(utf8.body["error"].get<std::string>().find("UTF-8"), std::string::npos);
  EXPECT_EQ(Call("POST", "/v1/declarations", "a=b", {}, "application/x-www-form-urlencoded").status,
            415);
  EXPECT_EQ(Count(), 0);
}

TEST_F(DeclarationsApiTest, TheSameIdempotencyKeyReplaysTheFirstAnswer) {
  ApiResponse first = Post(AsJson(PlainOrder("A1")), "key-1");
  ASSERT_EQ(first.status, 201);
  ApiResponse replay = Post(AsJson(PlainOrder("A1")), "key-1");
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, first.body) << "created, not already_present: the first answer";
  EXPECT_EQ(Post(AsJson(PlainOrder("A2")), "key-1").status, 422);
  EXPECT_EQ(Count(), 1);
}

TEST_F(DeclarationsApiTest, OneDeclarationComesWithItsHistory) {
  ApiResponse posted = Post(AsJson(PlainOrder("A1")));
  const int64_t id = posted.body["declarations"][0]["id"];
  ApiResponse a = Call("GET", "/v1/declarations/" + std::to_string(id));
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body["out_trade_no"], "A1");
  EXPECT_EQ(a.body["history"][0]["kind"], "created");
  EXPECT_EQ(Call("GET", "/v1/declarations/999").status, 404);
  EXPECT_EQ(Call("GET", "/v1/declarations/x").status, 404);
}

TEST_F(DeclarationsApiTest, ListsPageNewestFirstWithACursor) {
  Json body = Json::array();
  for (int i = 0; i < 5; ++i) body.push_back(AsJson(PlainOrder("L" + std::to_string(i))));
  ASSERT_EQ(Post(body).status, 201);
  std::vector<std::string> seen;
  std::multimap<std::string, std::string> params = {{"limit", "2"}};
  for (int page = 0; page < 5; ++page) {
    ApiResponse a = Call("GET", "/v1/declarations", "", params);
    ASSERT_EQ(a.status, 200);
    for (const Json& r : a.body["declarations"]) seen.push_back(r["out_trade_no"]);
    if (a.body["next_cursor"].is_null()) break;
    params = {{"limit", "2"}, {"cursor", a.body["next_cursor"]}};
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"L4", "L3", "L2", "L1", "L0"}));
  ApiResponse one = Call("GET", "/v1/declarations", "", {{"out_trade_no", "L3"}});
  ASSERT_EQ(one.body["declarations"].size(), 1u);
  EXPECT_EQ(Call("GET", "/v1/declarations", "", {{"state", "DONE"}}).status, 400);
  EXPECT_EQ(Call("GET", "/v1/declarations", "", {{"colour", "red"}}).status, 400);
  EXPECT_EQ(Call("GET", "/v1/declarations", "", {{"limit", "0"}}).status, 400);
}

TEST_F(DeclarationsApiTest, OperatorActionsFollowTheRules) {
  ApiResponse posted = Post(AsJson(PlainOrder("A1")));
  const std::string path =
      "/v1/declarations/" + std::to_string(posted.body["declarations"][0]["id"].get<int64_t>());
  // Submitting: nothing needs a retry or a re-push yet.
  ApiResponse retry = Call("POST", path + "/retry");
  EXPECT_EQ(retry.status, 409);
  EXPECT_NE(retry.body["error"].get<std::string>().find("only declarations in attention"),
            std::string::npos);
  EXPECT_EQ(Call("POST", path + "/redeclare").status, 409);
  // Not yet accepted by WeChat: a modify changes the declare itself.
  ApiResponse modified = Call("PATCH", path, R"({"merchant_customs_no": "654321"})");
  ASSERT_EQ(modified.status, 200) << modified.body.dump();
  EXPECT_EQ(modified.body["merchant_customs_no"], "654321");
  EXPECT_EQ(modified.body["phase"], "submit");
  EXPECT_EQ(modified.body["history"].back()["kind"], "operator_modify");
  ApiResponse cancelled = Call("POST", path + "/cancel", R"({"reason": "refunded"})");
  ASSERT_EQ(cancelled.status, 200);
  EXPECT_EQ(cancelled.body["phase"], "cancelled");
  ApiResponse back = Call("POST", path + "/retry");
  ASSERT_EQ(back.status, 200) << back.body.dump();
  EXPECT_EQ(back.body["phase"], "submit");
}

TEST_F(DeclarationsApiTest, AModificationIsCheckedByTheDeclarationsRules) {
  ApiResponse posted = Post(AsJson(PlainOrder("A1")));
  const std::string path =
      "/v1/declarations/" + std::to_string(posted.body["declarations"][0]["id"].get<int64_t>());
  ApiResponse identity = Call("PATCH", path, R"({"out_trade_no": "OTHER"})");
  EXPECT_EQ(identity.status, 400);
  EXPECT_EQ(identity.body["problems"][0]["field"], "out_trade_no");
  ApiResponse fee = Call("PATCH", path, R"({"duty": 1.5})");
  EXPECT_EQ(fee.status, 400);
  ApiResponse split_only = Call("PATCH", path, R"({"order_fee": 100})");
  EXPECT_EQ(split_only.status, 400) << "not a split order";
  ApiResponse bad = Call("PATCH", path, R"({"merchant_customs_no": ""})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["problems"][0]["field"], "merchant_customs_no");
  auto stored = store_.Find(KeyOf(PlainOrder("A1")));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->fields, PlainOrder("A1")) << "nothing changed";
}

TEST_F(DeclarationsApiTest, TheDocumentIsServedAndUnknownRoutesAreRefused) {
  ApiResponse doc = Call("GET", "/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body, testing::OpenApiDoc()) << "the binary serves the checked-in document";
  EXPECT_EQ(api_->Handle({"GET", "/v2/x", {}, "", "", ""}).status, 404);
  EXPECT_EQ(api_->Handle({"DELETE", "/v1/declarations", {}, "", "", ""}).status, 405);
}

// The console's overview asks /v1/stats; its numbers are the store's, and its names those of
// `customsd stats --json` (stats_json.h), held against the document by Call().
class StatsApiTest : public DeclarationsApiTest {
 protected:
  void PostThree() {
    DeclarationFields b = PlainOrder("B1");
    b.transaction_id = "4200000000000000000000000001";
    ASSERT_EQ(Post(Json::array({AsJson(PlainOrder("A1")), AsJson(b),
                                AsJson(PlainOrder("C1", "GUANGZHOU_ZS"))}))
                  .status,
              201);
  }
};

TEST_F(StatsApiTest, CountsByMerchantAndCustomsAndSinceTheGivenTimes) {
  PostThree();
  const int64_t now = UnixMillis(clock_.Now());
  ApiResponse a = Call("GET", "/v1/stats", "",
                       {{"day_start", FormatRfc3339(now - 3'600'000)},
                        {"week_start", FormatRfc3339(now + 3'600'000)}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["total"], 3);
  EXPECT_EQ(a.body["by_state"]["UNDECLARED"], 3);
  EXPECT_EQ(a.body["created_today"], 3);
  EXPECT_EQ(a.body["created_this_week"], 0);  // a start after every declaration
  ASSERT_EQ(a.body["by_merchant_customs"].size(), 2u);
  EXPECT_EQ(a.body["by_merchant_customs"][0]["customs"], "GUANGZHOU_ZS");
  EXPECT_EQ(a.body["by_merchant_customs"][0]["count"], 1);
  EXPECT_EQ(a.body["by_merchant_customs"][1]["customs"], "SHANGHAI_ZS");
  EXPECT_EQ(a.body["by_merchant_customs"][1]["count"], 2);
  EXPECT_EQ(a.body["holds"], Json::array());
}

TEST_F(StatsApiTest, WithoutTimesTheCreatedCountsAreNullAndHoldsAreListed) {
  options_.holds = [] {
    return std::vector<std::pair<HoldScope, std::string>>{
        {HoldScope{testing::kTestMchid, ""}, "SIGN_ERROR"},
        {HoldScope{testing::kTestMchid, "SHANGHAI_ZS"}, "NOAUTH"}};
  };
  api_ = std::make_unique<DeclarationsApi>(*db_, clock_, options_);
  ApiResponse a = Call("GET", "/v1/stats");
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_TRUE(a.body["created_today"].is_null());
  ASSERT_EQ(a.body["holds"].size(), 2u);
  EXPECT_TRUE(a.body["holds"][0]["customs"].is_null());
  EXPECT_EQ(a.body["holds"][1]["customs"], "SHANGHAI_ZS");
  EXPECT_EQ(a.body["holds"][1]["cause"], "NOAUTH");
}

TEST_F(StatsApiTest, ABadTimeOrParameterIsRefusedByName) {
  ApiResponse a = Call("GET", "/v1/stats", "", {{"day_start", "yesterday"}});
  EXPECT_EQ(a.status, 400);
  EXPECT_TRUE(a.body["error"].get<std::string>().starts_with("day_start: ")) << a.body.dump();
  ApiResponse b = Call("GET", "/v1/stats", "", {{"since", "2026-01-01T00:00:00Z"}});
  EXPECT_EQ(b.status, 400);
  EXPECT_TRUE(b.body["error"].get<std::string>().starts_with("since: ")) << b.body.dump();
  EXPECT_EQ(api_->Handle(ApiRequest{"POST", "/v1/stats", {}, "", "", ""}).status, 405);
}

TEST_F(StatsApiTest, AListFindsADeclarationByItsTransactionId) {
  PostThree();
  ApiResponse a =
      Call("GET", "/v1/declarations", "", {{"transaction_id", "4200000000000000000000000001"}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  ASSERT_EQ(a.body["declarations"].size(), 1u);
  EXPECT_EQ(a.body["declarations"][0]["out_trade_no"], "B1");
  ApiResponse none =
      Call("GET", "/v1/declarations", "", {{"transaction_id", "4200000000000000000000000009"}});
  EXPECT_EQ(none.body["declarations"].size(), 0u);
}

}  // namespace
}  // namespace customsd
