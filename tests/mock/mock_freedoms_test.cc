// The freedoms of the fake WeChat Pay server (optional fields left out, unknown fields, state
// casing, code spellings, documented messages), each observed on the wire; all answers must
// still verify. The page cap, --strict-docs and the test hooks: mock_hooks_test.cc.
#include "tests/mock/mock_freedoms.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "tests/mock/mock_test_fixture.h"

namespace customsd::mock::testing {
namespace {

using nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// A distinct 28-digit transaction_id per order (i < 900).
std::string Txn(int i) { return "1000320306201511078440737" + std::to_string(100 + i); }

std::string SplitWithDuty(const std::string& order, const std::string& sub, int i) {
  return DeclareBody(order,
                     {{"sub_order_no", sub},
                      {"fee_type", "CNY"},
                      {"order_fee", 888},
                      {"transport_fee", 88},
                      {"product_fee", 800},
                      {"duty", 5}},
                     Txn(i));
}

class MockFreedomsTest : public MockFixture {
 protected:
  // Counts, over `answers`, in how many each of `fields` is present.
  static std::map<std::string, int> Presence(const std::vector<json>& answers,
                                             const std::vector<std::string>& fields) {
    std::map<std::string, int> present;
    for (const std::string& f : fields) present[f] = 0;
    for (const json& a : answers) {
      for (const std::string& f : fields) present[f] += a.contains(f) ? 1 : 0;
    }
    return present;
  }
};

TEST_F(MockFreedomsTest, OmitOptionalLeavesOutOnlyOptionalFieldsInSomeAnswers) {
  StartServer([](MockOptions& o) { o.freedoms.omit_optional = true; });
  std::vector<json> declares, queries, items;
  for (int i = 0; i < 30; ++i) {
    const std::string order = "FAIL" + std::to_string(i);  // settles in FAIL, with explanation
    Exchange d = Declare(SplitWithDuty(order, "S" + std::to_string(i), i));
    ASSERT_EQ(d.status, 200) << d.body;
    EXPECT_EQ(Verdict(d), VerifyVerdict::kOk);
    declares.push_back(d.Json());
    for (int round = 0; round < 3; ++round) {  // PROCESSING, FAIL, FAIL
      Exchange q = Query(order);
      ASSERT_EQ(q.status, 200) << q.body;
      EXPECT_EQ(Verdict(q), VerifyVerdict::kOk);
      queries.push_back(q.Json());
      for (const json& item : queries.back()["data"]) items.push_back(item);
    }
  }
  const std::vector<std::string> optional_in_declare = {"sub_order_id", "verify_department",
                                                        "verify_department_trade_id"};
  const std::vector<std::string> optional_in_items = {"explanation", "modify_time", "sub_order_id",
                                                      "duty"};
  for (const auto& [field, n] : Presence(declares, optional_in_declare)) {
    EXPECT_GT(n, 0) << field << " never sent";
    EXPECT_LT(n, 30) << field << " never left out";
  }
  for (const auto& [field, n] :
       Presence(queries, {"verify_department", "verify_department_trade_id"})) {
    EXPECT_GT(n, 0) << field;
    EXPECT_LT(n, 90) << field;
  }
  std::vector<json> failed;
  for (const json& item : items) {
    if (item["state"] == "FAIL") failed.push_back(item);
  }
  ASSERT_EQ(failed.size(), 60u);  // the second and third query of each order
  for (const auto& [field, n] : Presence(failed, optional_in_items)) {
    EXPECT_GT(n, 0) << field;
    EXPECT_LT(n, 60) << field;
  }
  // What the client needs is always there.
  for (const auto& [field, n] : Presence(declares, {"appid", "mchid", "state", "out_trade_no",
                                                    "transaction_id", "sub_order_no"})) {
    EXPECT_EQ(n, 30) << field;
  }
  for (const auto& [field, n] : Presence(queries, {"offset", "limit", "total_count", "data"})) {
    EXPECT_EQ(n, 90) << field;
  }
  for (const auto& [field, n] : Presence(items, {"state", "sub_order_no", "mch_customs_no"})) {
    EXPECT_EQ(n, 90) << field;
  }
}

TEST_F(MockFreedomsTest, ExtraFieldsAppearFirstOrLastAndStillVerify) {
  StartServer([](MockOptions& o) { o.freedoms.extra_fields = true; });
  int first = 0;
  for (int i = 0; i < 20; ++i) {
    Exchange d = Declare(DeclareBody("X" + std::to_string(i), {}, Txn(i)));
    ASSERT_EQ(d.status, 200) << d.body;
    EXPECT_EQ(Verdict(d), VerifyVerdict::kOk);
    OrderedJson j = OrderedJson::parse(d.body);
    EXPECT_TRUE(j.contains("mock_extra") && j.contains("promotion_detail")) << d.body;
    EXPECT_EQ(j["state"], "UNDECLARED");  // the documented fields are unchanged
    first += j.begin().key() == "mock_extra" ? 1 : 0;
  }
  EXPECT_GT(first, 0);
  EXPECT_LT(first, 20);
  Exchange q = Query("X0");
  ASSERT_EQ(q.status, 200);
  EXPECT_TRUE(q.Json().contains("mock_extra"));
  EXPECT_TRUE(q.Json()["data"][0].contains("mock_item_extra")) << q.body;
  Exchange c = Send("GET", Api("/certificates"));
  ASSERT_EQ(c.status, 200);
  EXPECT_TRUE(c.Json()["data"][0].contains("mock_item_extra"));
  EXPECT_EQ(Verdict(c), VerifyVerdict::kOk);
  // Errors are left alone.
  EXPECT_FALSE(Query("NOPE").Json().contains("mock_extra"));
}

TEST_F(MockFreedomsTest, StateCasingSendsEachCase) {
  StartServer([](MockOptions& o) { o.freedoms.state_casing = true; });
  std::set<std::string> states;
  for (int i = 0; i < 30; ++i) {
    Exchange d = Declare(DeclareBody("C" + std::to_string(i), {}, Txn(i)));
    ASSERT_EQ(d.status, 200);
    EXPECT_EQ(Verdict(d), VerifyVerdict::kOk);
    states.insert(d.Json()["state"].get<std::string>());
    states.insert(QueryState("C" + std::to_string(i)));
  }
  EXPECT_TRUE(states.contains("UNDECLARED"));
  EXPECT_TRUE(states.contains("undeclared"));
  EXPECT_TRUE(states.contains("Undeclared"));
  EXPECT_TRUE(states.contains("processing"));
  for (const std::string& s : states) {
    EXPECT_TRUE(s == "UNDECLARED" || s == "undeclared" || s == "Undeclared" || s == "PROCESSING" ||
                s == "processing" || s == "Processing")
        << s;
  }
}

TEST_F(MockFreedomsTest, CodeSpellingsSendEveryDocumentedSpelling) {
  StartServer([](MockOptions& o) {
    o.freedoms.code_spellings = true;
    o.faults.system_error = 1;
  });
  std::map<std::string, int> codes;
  std::map<int, int> statuses;
  for (int i = 0; i < 90; ++i) {
    Exchange x = Declare(DeclareBody("E" + std::to_string(i), {}, Txn(i)));
    EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);
    ++codes[x.Code()];
    ++statuses[x.status];
  }
  EXPECT_EQ(codes.size(), 2u);
  EXPECT_GT(codes["SYSTEMERROR"], 0);
  EXPECT_GT(codes["SYSTEM_ERROR"], 0);
  EXPECT_EQ(statuses.size(), 2u);
  EXPECT_GT(statuses[400], 15);  // about a third
  EXPECT_LT(statuses[400], 45);
  EXPECT_EQ(server_->Stats().Counters(Key("E0")).declares_accepted, 0);  // not applied

  FaultRates limited;
  limited.rate_limited = 1;
  server_->SetFaultRates(limited);
  std::set<std::string> rate_codes;
  for (int i = 0; i < 40; ++i) {
    Exchange x = Query("R" + std::to_string(i));
    EXPECT_EQ(x.status, 429);
    rate_codes.insert(x.Code());
  }
  EXPECT_EQ(rate_codes,
            (std::set<std::string>{"FREQUENCY_LIMITED", "RATE_LIMITED", "RATELIMIT_EXCEEDED"}));

  server_->SetFaultRates(FaultRates{});
  std::set<std::string> noauth, not_found;
  for (int i = 0; i < 20; ++i) {
    Exchange x = Declare(DeclareBody("NOAUTH" + std::to_string(i), {}, Txn(100 + i)));
    EXPECT_EQ(x.status, 403);
    noauth.insert(x.Code());
    Exchange q = Query("NOPE" + std::to_string(i));
    EXPECT_EQ(q.status, 404);
    not_found.insert(q.Code());
  }
  EXPECT_EQ(noauth, (std::set<std::string>{"NOAUTH", "NO_AUTH"}));
  EXPECT_EQ(not_found, (std::set<std::string>{"ORDER_NOT_EXIST", "RESOURCE_NOT_EXISTS"}));
  EXPECT_EQ(Query("A1", "order_id").Code(), "PARAM_ERROR");  // one spelling only
}

TEST_F(MockFreedomsTest, DocMessagesComeFromTheErrorTables) {
  StartServer([](MockOptions& o) {
    o.freedoms.doc_messages = true;
    o.faults.system_error = 1;
  });
  std::set<std::string> system, noauth, not_found;
  for (int i = 0; i < 20; ++i) {
    Exchange x = Declare(DeclareBody("E" + std::to_string(i), {}, Txn(i)));
    EXPECT_EQ(x.status, 500);  // code_spellings is off: status and code as always
    EXPECT_EQ(x.Code(), "SYSTEMERROR");
    system.insert(x.Json()["message"].get<std::string>());
  }
  EXPECT_EQ(system, (std::set<std::string>{"System error", "系统错误"}));
  server_->SetFaultRates(FaultRates{});
  for (int i = 0; i < 20; ++i) {
    Exchange x = Declare(DeclareBody("NOAUTH" + std::to_string(i), {}, Txn(100 + i)));
    EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);
    noauth.insert(x.Json()["message"].get<std::string>());
    not_found.insert(Query("NOPE" + std::to_string(i)).Json()["message"].get<std::string>());
  }
  EXPECT_EQ(noauth,
            (std::set<std::string>{"The merchant has not registered with the current customs",
                                   "The merchant has not registered with the current customs.",
                                   "Self-Clearance is not enabled."}));
  EXPECT_EQ(not_found, (std::set<std::string>{"Customs declaration record does not exist.",
                                              "报关记录不存在"}));
  Exchange p = Query("A1", "order_id");
  const std::set<std::string> param_texts = {
      "Parameter error", "Parameter format verification error", "参数格式校验错误"};
  EXPECT_TRUE(param_texts.contains(p.Json()["message"].get<std::string>())) << p.body;
  EXPECT_EQ(p.Json()["detail"]["field"], "order_type");  // the detail stays
  ASSERT_EQ(Declare(DeclareBody("A1", {}, Txn(500))).status, 200);
  Exchange conflict = Declare(DeclareBody("A1", {{"merchant_customs_no", "654321"}}, Txn(500)));
  EXPECT_EQ(conflict.Code(), "INVALID_REQUEST");
  EXPECT_EQ(conflict.Json()["message"],
            "The information re-entered by merchant for customs declaration is different from "
            "the original one");
}

TEST(SeedMessages, AreVerbatimInTheSeedPages) {
  const std::string dir = std::string(CUSTOMSD_SOURCE_DIR) + "/../shared/reference/seeds/";
  if (!std::ifstream(dir + "declare-api-en.txt")) GTEST_SKIP() << "no seed pages at " << dir;
  int not_from_seeds = 0;
  for (const SeedMessage& m : SeedMessages()) {
    if (m.seed.empty()) {
      ++not_from_seeds;
      continue;
    }
    EXPECT_NE(Slurp(dir + std::string(m.seed)).find(m.text), std::string::npos)
        << m.text << " is not in " << m.seed;
  }
  EXPECT_EQ(not_from_seeds, 2);  // 系统错误 and 报关记录不存在
}

}  // namespace
}  // namespace customsd::mock::testing
