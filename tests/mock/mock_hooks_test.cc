// The page cap, --strict-docs (all freedoms at once, reproducible under one seed), the
// wechatpay-mock flags, and MockServer's test hooks: ScriptError answers once and is not
// applied, SetAnswerHook edits 2xx bodies before they are signed.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "tests/mock/mock_freedoms.h"
#include "tests/mock/mock_test_fixture.h"
#include "tests/support/child_process.h"

namespace customsd::mock::testing {
namespace {

using nlohmann::json;

using MockHooksTest = MockFixture;

TEST(PageLimit, CapsOnlyWhenSet) {
  MockOptions o;
  EXPECT_EQ(PageLimit(o, 20), 20);
  o.page_max = 3;
  EXPECT_EQ(PageLimit(o, 20), 3);
  EXPECT_EQ(PageLimit(o, 2), 2);
}

TEST_F(MockHooksTest, PageMaxCapsEveryPageAndPagingFindsEveryRecordOnce) {
  StartServer([](MockOptions& o) {
    o.page_max = 2;
    o.advance_after_queries = 0;
  });
  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(Declare(SplitBody("A1", "S" + std::to_string(i))).status, 200);
  }
  std::map<std::string, int> seen;
  int offset = 0;
  int calls = 0;
  while (true) {
    Exchange x = Query("A1", "out_trade_no", offset, 20);
    ASSERT_EQ(x.status, 200) << x.body;
    ASSERT_EQ(Verdict(x), VerifyVerdict::kOk);
    json j = x.Json();
    EXPECT_EQ(j["limit"], 2);  // the server's own, not the 20 asked
    EXPECT_EQ(j["offset"], offset);
    EXPECT_EQ(j["total_count"], 7);
    EXPECT_LE(j["data"].size(), 2u);
    for (const json& item : j["data"]) ++seen[item["sub_order_no"].get<std::string>()];
    ASSERT_LT(++calls, 10) << "paging does not end";
    if (j["data"].empty()) break;
    offset += static_cast<int>(j["data"].size());
    if (offset >= j["total_count"].get<int>()) break;
  }
  EXPECT_EQ(calls, 4);  // 2 + 2 + 2 + 1
  ASSERT_EQ(seen.size(), 7u);
  for (const auto& [sub, times] : seen) EXPECT_EQ(times, 1) << sub;
  // Only the records on the page count as queried: S3 was not on the first (capped) page.
  EXPECT_EQ(server_->Stats().Counters(Key("A1", "S3")).queries, 1);
  // A smaller ask is the limit; an odd offset is echoed.
  json one = Query("A1", "out_trade_no", 0, 1).Json();
  EXPECT_EQ(one["limit"], 1);
  EXPECT_EQ(one["data"].size(), 1u);
  json tail = Query("A1", "out_trade_no", 5, 20).Json();
  EXPECT_EQ(tail["offset"], 5);
  EXPECT_EQ(tail["data"].size(), 2u);
}

TEST(ApplyStrictDocs, TurnsEveryFreedomOnAndSeedsThePageCap) {
  std::set<int> caps;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    MockOptions o;
    o.seed = seed;
    ApplyStrictDocs(&o, /*keep_page_max=*/false);
    const Freedoms& f = o.freedoms;
    EXPECT_TRUE(f.omit_optional && f.extra_fields && f.state_casing && f.code_spellings &&
                f.doc_messages);
    EXPECT_GE(o.page_max, 1);
    EXPECT_LE(o.page_max, 5);
    MockOptions again;
    again.seed = seed;
    ApplyStrictDocs(&again, false);
    EXPECT_EQ(again.page_max, o.page_max);
    caps.insert(o.page_max);
  }
  EXPECT_EQ(caps.size(), 5u);  // the seed decides
  MockOptions given;
  given.page_max = 9;
  ApplyStrictDocs(&given, /*keep_page_max=*/true);
  EXPECT_EQ(given.page_max, 9);
}

TEST_F(MockHooksTest, StrictDocsRunsReproduceUnderOneSeed) {
  auto run = [this](uint64_t seed) {
    StartServer([seed](MockOptions& o) {
      o.seed = seed;
      o.faults.system_error = 0.3;
      ApplyStrictDocs(&o, false);
    });
    std::vector<std::string> seen;
    for (int i = 0; i < 8; ++i) {
      const std::string order = (i % 3 == 0 ? "FAIL" : "OK") + std::to_string(i);
      for (int sub = 0; sub < 3; ++sub) {
        Exchange d = Declare(SplitBody(order, "S" + std::to_string(sub),
                                       "1000320306201511078440737" + std::to_string(100 + i)));
        EXPECT_EQ(Verdict(d), VerifyVerdict::kOk);
        seen.push_back(std::to_string(d.status) + " " + d.body);
      }
      for (int round = 0; round < 3; ++round) {
        Exchange q = Query(order);
        EXPECT_EQ(Verdict(q), VerifyVerdict::kOk);
        seen.push_back(std::to_string(q.status) + " " + q.body);
      }
      Exchange missing = Query("NOPE" + std::to_string(i));
      seen.push_back(std::to_string(missing.status) + " " + missing.body);
    }
    return seen;
  };
  const std::vector<std::string> a = run(11);
  const std::vector<std::string> b = run(11);
  const std::vector<std::string> c = run(12);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST_F(MockHooksTest, ScriptedErrorsAnswerOnceEachAndAreNotApplied) {
  StartServer([](MockOptions& o) {
    // Freedoms must not touch a scripted answer.
    o.freedoms.code_spellings = true;
    o.freedoms.doc_messages = true;
  });
  server_->ScriptError(Endpoint::kDeclare, 500, "SYSTEMERROR", "scripted one");
  server_->ScriptError(Endpoint::kDeclare, 403, "NO_AUTH", "scripted two");
  // Neither another endpoint nor an unauthenticated request takes a scripted answer.
  EXPECT_EQ(Query("A1").status, 404);
  RequestSigner wrong(kMchid, merchant_serial_, PrivateKey(Vector("platform_key.pem")), clock_);
  EXPECT_EQ(Send("POST", Api("/customs/orders"), DeclareBody("A1"), &wrong).status, 401);

  Exchange one = Declare(DeclareBody("A1"));
  EXPECT_EQ(one.status, 500);
  EXPECT_EQ(one.Json(), json({{"code", "SYSTEMERROR"}, {"message", "scripted one"}}));
  EXPECT_EQ(Verdict(one), VerifyVerdict::kOk);
  Exchange two = Declare(DeclareBody("A1"));
  EXPECT_EQ(two.status, 403);
  EXPECT_EQ(two.Json(), json({{"code", "NO_AUTH"}, {"message", "scripted two"}}));
  EXPECT_EQ(Verdict(two), VerifyVerdict::kOk);
  EXPECT_EQ(server_->Stats().Counters(Key("A1")).declares_received, 0);

  Exchange served = Declare(DeclareBody("A1"));
  EXPECT_EQ(served.status, 200) << served.body;
  EXPECT_EQ(server_->Stats().Counters(Key("A1")).declares_accepted, 1);

  for (int i = 0; i < 12; ++i) server_->ScriptError(Endpoint::kQuery, 500, "SYSTEMERROR", "x");
  for (int i = 0; i < 12; ++i) {
    Exchange q = Query("A1");
    EXPECT_EQ(q.status, 500);
    EXPECT_EQ(q.Code(), "SYSTEMERROR");
    EXPECT_EQ(q.Json()["message"], "x");
  }
  EXPECT_EQ(Query("A1").status, 200);
}

TEST_F(MockHooksTest, AnswerHookEditsSignedTwoHundredsOnly) {
  StartServer();
  auto calls = std::make_shared<std::atomic<int>>(0);
  server_->SetAnswerHook([calls](Endpoint e, nlohmann::ordered_json& body) {
    ++*calls;
    if (e == Endpoint::kDeclare) {
      body.erase("verify_department");
      body["state"] = "PROCESSING";
    }
  });
  Exchange d = Declare(DeclareBody("A1"));
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_FALSE(d.Json().contains("verify_department"));
  EXPECT_EQ(d.Json()["state"], "PROCESSING");
  EXPECT_EQ(Verdict(d), VerifyVerdict::kOk);  // the signature covers the edited body
  EXPECT_EQ(*calls, 1);
  EXPECT_EQ(Query("NOPE").status, 404);
  EXPECT_EQ(*calls, 1);  // errors are not passed to the hook
  EXPECT_EQ(QueryState("A1"), "PROCESSING");
  EXPECT_EQ(*calls, 2);

  server_->SetAnswerHook(nullptr);
  Exchange again = Declare(DeclareBody("A1"));  // identical re-declare: the record as it is
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.Json()["verify_department"], "UNIONPAY");
  EXPECT_EQ(*calls, 2);
}

std::vector<std::string> MockArgv(std::vector<std::string> extra) {
  const std::string v = std::string(CUSTOMSD_VECTORS_DIR) + "/";
  std::vector<std::string> argv = {
      CUSTOMSD_MOCK_BINARY,    "--listen",         "127.0.0.1:0",          "--merchant-cert",
      v + "merchant_cert.pem", "--platform-key",   v + "platform_key.pem", "--platform-cert",
      v + "platform_cert.pem", "--apiv3-key-file", v + "apiv3.key"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

TEST(MockBinary, HelpListsTheFreedomFlags) {
  ::customsd::testing::ChildProcess mock({CUSTOMSD_MOCK_BINARY, "--help"});
  ASSERT_TRUE(mock.started());
  std::string help;
  while (auto line = mock.ReadLine(std::chrono::seconds(20))) help += *line + "\n";
  EXPECT_EQ(mock.Wait(std::chrono::seconds(20)), 0);
  for (const char* flag : {"--page-max", "--omit-optional", "--extra-fields", "--state-casing",
                           "--code-spellings", "--doc-messages", "--strict-docs"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag << " not in:\n" << help;
  }
}

TEST_F(MockHooksTest, BinaryServesStrictDocsWithTheGivenPageMax) {
  ::customsd::testing::ChildProcess mock(
      MockArgv({"--strict-docs", "--page-max", "2", "--seed", "3"}));
  ASSERT_TRUE(mock.started());
  auto line = mock.ReadLine(std::chrono::seconds(20));
  ASSERT_TRUE(line.has_value()) << "wechatpay-mock did not start";
  const size_t scheme = line->find("http://");
  ASSERT_NE(scheme, std::string::npos) << *line;
  base_url_ = line->substr(scheme);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Declare(SplitBody("B1", "S" + std::to_string(i))).status, 200);
  }
  Exchange q = Query("B1", "out_trade_no", 0, 20);
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(Verdict(q), VerifyVerdict::kOk);
  EXPECT_EQ(q.Json()["limit"], 2);
  EXPECT_EQ(q.Json()["data"].size(), 2u);
  EXPECT_EQ(q.Json()["total_count"], 3);
  EXPECT_TRUE(q.Json().contains("mock_extra"));  // --strict-docs turned the freedoms on
  mock.Signal(SIGTERM);
  EXPECT_EQ(mock.Wait(std::chrono::seconds(20)), 0);
}

}  // namespace
}  // namespace customsd::mock::testing
