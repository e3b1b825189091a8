// Every field of the query's and the declare's successful answers, as the seed pages list
// them, in the forms WeChat may send (left out where the pages let it be missing, another
// casing, an odd but allowed value), altered on the wire by wechatpay-mock's answer hook: what
// customsd must make of each. The first tests hold the rows to the seed pages' field lists.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/conformance/conformance_fixture.h"
#include "tests/conformance/seed_pages.h"

namespace customsd::conformance {
namespace {

using Body = nlohmann::ordered_json;

// What the test does: declare plain (or split: sub-orders a, b, c) orders, alter the answers of
// `page` with `alter`, run the declare and the first poll, then `check`.
struct FieldRow {
  std::string page;   // "query" or "declare"
  std::string field;  // as the seed page names it
  std::string sends;  // what WeChat sends, in words
  bool split = false;
  std::function<void(Body&)> alter;
  std::function<void(ConformanceTest&, const std::vector<DeclarationRecord>&)> check;
};

// Every data[] item reports SUCCESS, so one poll settles what the client reads right.
void AllSucceed(Body& b) {
  if (b.contains("data")) {
    for (auto& item : b["data"]) item["state"] = "SUCCESS";
  }
}

std::function<void(Body&)> Drop(const std::string& field, bool in_items) {
  return [field, in_items](Body& b) {
    AllSucceed(b);
    if (!in_items) {
      b.erase(field);
      return;
    }
    for (auto& item : b["data"]) item.erase(field);
  };
}

void Settled(ConformanceTest&, const std::vector<DeclarationRecord>& after) {
  for (const DeclarationRecord& r : after) {
    EXPECT_EQ(r.phase, Phase::kDone) << r.fields.sub_order_no << " " << r.last_error_message;
    EXPECT_EQ(r.state, State::kSuccess) << r.fields.sub_order_no;
  }
}

void Accepted(ConformanceTest&, const std::vector<DeclarationRecord>& after) {
  for (const DeclarationRecord& r : after) {
    EXPECT_EQ(r.phase, Phase::kPoll) << r.last_error_message;
    EXPECT_EQ(r.last_error_code, "");
    EXPECT_FALSE(r.check_first);
  }
}

std::vector<FieldRow> Rows() {
  std::vector<FieldRow> rows;
  for (const char* f : {"appid", "mchid", "transaction_id", "offset"}) {
    rows.push_back({"query", f, "left out", true, Drop(f, false), Settled});
  }
  for (const char* f : {"verify_department", "verify_department_trade_id"}) {
    rows.push_back({"query", f, "left out: the declare answer's value is kept", false,
                    Drop(f, false), [f](ConformanceTest& t, const auto& after) {
                      Settled(t, after);
                      const DeclarationRecord& r = after[0];
                      EXPECT_FALSE(std::string(f) == "verify_department"
                                       ? r.verify_department.empty()
                                       : r.verify_department_trade_id.empty());
                    }});
  }
  rows.push_back({"query", "limit", "the server's own: 1 record a page, 20 asked", true,
                  [](Body& b) {
                    AllSucceed(b);
                    b["limit"] = 1;
                    Body& data = b["data"];
                    if (data.size() > 1) data.erase(data.begin() + 1, data.end());
                  },
                  Settled});
  rows.push_back({"query", "total_count", "larger than what is ever listed (+5)", true,
                  [](Body& b) {
                    AllSucceed(b);
                    b["total_count"] = b["total_count"].get<int64_t>() + 5;
                  },
                  Settled});
  rows.push_back({"query", "data", "empty, total_count 0: not found, polled again, no alert",
                  false,
                  [](Body& b) {
                    b["total_count"] = 0;
                    b["data"] = Body::array();
                  },
                  [](ConformanceTest& t, const auto& after) {
                    EXPECT_EQ(after[0].phase, Phase::kPoll);
                    EXPECT_EQ(after[0].failures, 1);
                    EXPECT_EQ(t.Alerts(), 0);
                  }});
  rows.push_back({"query", "sub_order_no", "items in another order than declared", true,
                  [](Body& b) {
                    AllSucceed(b);
                    std::reverse(b["data"].begin(), b["data"].end());
                  },
                  Settled});
  rows.push_back({"query", "sub_order_id", "left out: the declare answer's value is kept", true,
                  Drop("sub_order_id", true), [](ConformanceTest& t, const auto& after) {
                    Settled(t, after);
                    for (const DeclarationRecord& r : after) EXPECT_FALSE(r.sub_order_id.empty());
                  }});
  for (const char* f : {"customs", "fee_type", "duty", "order_fee", "transport_fee",
                        "product_fee", "mch_customs_no"}) {
    rows.push_back({"query", f, "left out", true, Drop(f, true), Settled});
  }
  rows.push_back({"query", "state", "in lower case", true,
                  [](Body& b) {
                    for (auto& item : b["data"]) item["state"] = "success";
                  },
                  Settled});
  rows.push_back({"query", "explanation", "a FAIL with WeChat's Chinese text: kept, one alert",
                  false,
                  [](Body& b) {
                    for (auto& item : b["data"]) {
                      item["state"] = "FAIL";
                      item["explanation"] = "支付单已存在并且为非退单状态";
                    }
                  },
                  [](ConformanceTest& t, const auto& after) {
                    EXPECT_EQ(after[0].state, State::kFail);
                    EXPECT_EQ(after[0].phase, Phase::kDone);
                    EXPECT_EQ(after[0].explanation, "支付单已存在并且为非退单状态");
                    EXPECT_EQ(t.Alerts(), 1);
                  }});
  rows.push_back({"query", "modify_time", "left out", false, Drop("modify_time", true), Settled});

  for (const char* f : {"appid", "mchid", "out_trade_no", "transaction_id", "sub_order_no",
                        "sub_order_id", "verify_department", "verify_department_trade_id"}) {
    rows.push_back({"declare", f, "left out", true,
                    [f](Body& b) { b.erase(f); }, Accepted});
  }
  rows.push_back({"declare", "state", "in lower case", false,
                  [](Body& b) { b["state"] = "undeclared"; }, Accepted});
  return rows;
}

std::set<std::string> FieldsOf(const std::string& page) {
  std::set<std::string> fields;
  for (const FieldRow& r : Rows()) {
    if (r.page == page) fields.insert(r.field);
  }
  return fields;
}

TEST(AnswerFieldTableTest, CoversEveryFieldOfTheQueryAnswerOnTheSeedPage) {
  std::vector<std::string> seed = ReadSeedQueryAnswerFields();
  ASSERT_EQ(seed.size(), 21u) << "the layout of query-api-zh.txt changed?";
  EXPECT_EQ(FieldsOf("query"), std::set<std::string>(seed.begin(), seed.end()));
}

TEST(AnswerFieldTableTest, CoversEveryFieldOfTheDeclareAnswerOnTheSeedPage) {
  std::vector<std::string> seed = ReadSeedDeclareAnswerFields();
  ASSERT_EQ(seed.size(), 9u) << "the layout of declare-api-en.txt changed?";
  EXPECT_EQ(FieldsOf("declare"), std::set<std::string>(seed.begin(), seed.end()));
}

class AnswerFieldTest : public ConformanceTest, public ::testing::WithParamInterface<FieldRow> {};

TEST_P(AnswerFieldTest, CustomsdReadsTheAnswerAsTheSeedPageAllows) {
  const FieldRow& row = GetParam();
  Start();
  const mock::Endpoint altered = row.page == "query" ? mock::Endpoint::kQuery
                                                     : mock::Endpoint::kDeclare;
  server_->SetAnswerHook([&row, altered](mock::Endpoint e, Body& body) {
    if (e == altered) row.alter(body);
  });
  std::vector<DeclarationFields> orders;
  if (row.split) {
    for (const char* sub : {"a", "b", "c"}) orders.push_back(testing::SplitOrder("F1", sub));
  } else {
    orders.push_back(testing::PlainOrder("F1"));
  }
  auto added = store_.Add(orders);
  ASSERT_TRUE(added.ok() && added->committed);
  engine_->RunDueInline(gate_);  // the declares
  if (row.page == "query") {
    clock_.Advance(testing::TestSettings().poll.first_delay);
    engine_->RunDueInline(gate_);  // the first poll
  }
  std::vector<DeclarationRecord> after;
  for (const DeclarationFields& f : orders) after.push_back(store_.Find(KeyOf(f))->value());
  row.check(*this, after);
}

std::string RowName(const ::testing::TestParamInfo<FieldRow>& info) {
  return info.param.page + "_" + info.param.field + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(SeedFields, AnswerFieldTest, ::testing::ValuesIn(Rows()), RowName);

}  // namespace
}  // namespace customsd::conformance
