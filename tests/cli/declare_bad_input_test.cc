// customsd declare refuses bad input as a whole: exit code 2, one line per problem naming the
// line and the field, and the database exactly as it was.
#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"

namespace customsd {
namespace {

using testing::GoodLine;

struct BadInput {
  const char* name;
  std::string file_name;
  std::string text;
  std::vector<std::string> expected;  // substrings of stderr
};

// Names the case in gtest's output instead of dumping its bytes.
void PrintTo(const BadInput& c, std::ostream* os) { *os << c.name; }

std::string With(const std::string& extra_fields, const std::string& out_trade_no = "GOOD1") {
  std::string line = GoodLine(out_trade_no);
  line.pop_back();  // drop the closing brace
  return line + "," + extra_fields + "}";
}

std::string Split(const std::string& fees) {
  return With(R"("sub_order_no":"S1",)" + fees);
}

const std::string kTx = R"("transaction_id":"1000320306201511078440737890")";
const std::string kCsvHeader =
    "out_trade_no,transaction_id,customs,merchant_customs_no,duty\n";

std::vector<BadInput> Cases() {
  return {
      {"missing_out_trade_no", "a.jsonl",
       R"({"transaction_id":"1000320306201511078440737890","customs":"SHANGHAI_ZS","merchant_customs_no":"123456"})",
       {"line 1", "out_trade_no"}},
      {"missing_transaction_id", "a.jsonl",
       R"({"out_trade_no":"A1","customs":"SHANGHAI_ZS","merchant_customs_no":"123456"})",
       {"line 1", "transaction_id"}},
      {"missing_customs", "a.jsonl",
       R"({"out_trade_no":"A1",)" + kTx + R"(,"merchant_customs_no":"123456"})",
       {"line 1", "customs"}},
      {"missing_merchant_customs_no", "a.jsonl",
       R"({"out_trade_no":"A1",)" + kTx + R"(,"customs":"SHANGHAI_ZS"})",
       {"line 1", "merchant_customs_no"}},
      {"overlong_out_trade_no", "a.jsonl", GoodLine(std::string(33, 'A')),
       {"line 1", "out_trade_no"}},
      {"overlong_transaction_id", "a.jsonl",
       R"({"out_trade_no":"A1","transaction_id":")" + std::string(33, '1') +
           R"(","customs":"SHANGHAI_ZS","merchant_customs_no":"123456"})",
       {"line 1", "transaction_id"}},
      {"overlong_customs", "a.jsonl",
       R"({"out_trade_no":"A1",)" + kTx + R"(,"customs":")" + std::string(33, 'X') +
           R"(","merchant_customs_no":"123456"})",
       {"line 1", "customs"}},
      {"overlong_merchant_customs_no", "a.jsonl",
       R"({"out_trade_no":"A1",)" + kTx + R"(,"customs":"SHANGHAI_ZS","merchant_customs_no":")" +
           std::string(33, '9') + R"("})",
       {"line 1", "merchant_customs_no"}},
      {"space_in_out_trade_no", "a.jsonl", GoodLine("AB CD"), {"line 1", "out_trade_no"}},
      {"sql_in_out_trade_no", "a.jsonl", GoodLine("'; DROP TABLE declarations;--"),
       {"line 1", "out_trade_no"}},
      {"shell_in_out_trade_no", "a.jsonl", GoodLine("$(rm -rf /)"), {"line 1", "out_trade_no"}},
      {"shell_in_merchant_customs_no", "a.jsonl",
       R"({"out_trade_no":"A1",)" + kTx +
           R"(,"customs":"SHANGHAI_ZS","merchant_customs_no":"`reboot`"})",
       {"line 1", "merchant_customs_no"}},
      {"letters_in_transaction_id", "a.jsonl",
       R"({"out_trade_no":"A1","transaction_id":"12345abc","customs":"SHANGHAI_ZS","merchant_customs_no":"1"})",
       {"line 1", "transaction_id"}},
      {"lower_case_customs", "a.jsonl",
       R"({"out_trade_no":"A1",)" + kTx + R"(,"customs":"shanghai_zs","merchant_customs_no":"1"})",
       {"line 1", "customs"}},
      {"sql_in_customs", "a.jsonl",
       R"({"out_trade_no":"A1",)" + kTx + R"(,"customs":"X' OR '1'='1","merchant_customs_no":"1"})",
       {"line 1", "customs"}},
      {"letters_in_mchid", "a.jsonl", With(R"("mchid":"abc")"), {"line 1", "mchid"}},
      {"mchid_not_in_config", "a.jsonl", With(R"("mchid":"1999999999")"), {"line 1", "mchid"}},
      {"markup_in_appid", "a.jsonl", With(R"("appid":"<script>")"), {"line 1", "appid"}},
      {"non_utf8_in_json", "a.jsonl", GoodLine("A\xff\xfe"), {"line 1"}},
      {"non_utf8_in_csv", "a.csv",
       kCsvHeader + "A1,1000320306201511078440737890,SHANGHAI_ZS,12\xff" "34,5\n",
       {"line 2", "merchant_customs_no"}},
      {"nul_byte", "a.jsonl", GoodLine(std::string("A\0B", 3)), {"line 1"}},
      {"negative_duty", "a.jsonl",
       R"({"out_trade_no":"A1",)" + kTx +
           R"(,"customs":"SHANGHAI_ZS","merchant_customs_no":"1","duty":-1})",
       {"line 1", "duty"}},
      {"fractional_duty", "a.jsonl",
       R"({"out_trade_no":"A1",)" + kTx +
           R"(,"customs":"SHANGHAI_ZS","merchant_customs_no":"1","duty":1.5})",
       {"line 1", "duty"}},
      {"fee_as_string", "a.jsonl",
       Split(R"("fee_type":"CNY","order_fee":"100","transport_fee":0,"product_fee":100)"),
       {"line 1", "order_fee"}},
      {"split_sum_wrong", "a.jsonl",
       Split(R"("fee_type":"CNY","order_fee":1000,"transport_fee":100,"product_fee":800)"),
       {"line 1", "order_fee"}},
      {"split_without_fee_type", "a.jsonl",
       Split(R"("order_fee":900,"transport_fee":100,"product_fee":800)"), {"line 1", "fee_type"}},
      {"split_in_dollars", "a.jsonl",
       Split(R"("fee_type":"USD","order_fee":900,"transport_fee":100,"product_fee":800)"),
       {"line 1", "fee_type"}},
      {"split_without_product_fee", "a.jsonl",
       Split(R"("fee_type":"CNY","order_fee":900,"transport_fee":100)"), {"line 1", "product_fee"}},
      {"negative_transport_fee", "a.jsonl",
       Split(R"("fee_type":"CNY","order_fee":900,"transport_fee":-100,"product_fee":1000)"),
       {"line 1", "transport_fee"}},
      {"fees_without_sub_order_no", "a.jsonl",
       With(R"("fee_type":"CNY","order_fee":900,"transport_fee":100,"product_fee":800)"),
       {"line 1", "order_fee"}},
      {"duplicate_key_in_file", "a.jsonl", GoodLine("A1") + "\n" + GoodLine("A1") + "\n",
       {"line 2", "duplicate", "line 1"}},
      {"empty_file", "a.jsonl", "", {"no declarations"}},
      {"only_blank_lines", "a.jsonl", "\n\n   \n", {"no declarations"}},
      {"csv_unknown_column", "a.csv",
       "out_trade_no,transaction_id,customs,merchant_customs_no,colour\n"
       "A1,1000320306201511078440737890,SHANGHAI_ZS,123456,red\n",
       {"line 1", "colour"}},
      {"csv_missing_column", "a.csv",
       "out_trade_no,customs,merchant_customs_no\nA1,SHANGHAI_ZS,123456\n",
       {"line 1", "transaction_id"}},
      {"csv_ragged_row", "a.csv", kCsvHeader + "A1,1000320306201511078440737890,SHANGHAI_ZS\n",
       {"line 2"}},
      {"not_json", "a.jsonl", "hello\n", {"line 1"}},
      {"json_array_not_object", "a.jsonl", "[1,2,3]\n", {"line 1"}},
      {"unknown_field", "a.jsonl", With(R"("sub_order":"S1")"), {"line 1", "sub_order"}},
      {"one_bad_among_good", "a.jsonl",
       GoodLine("A1") + "\n" + GoodLine("A2") + "\n" + GoodLine("A 3") + "\n",
       {"line 3", "out_trade_no"}},
      {"very_long_line", "a.jsonl", GoodLine(std::string(10000, 'Z')), {"line 1", "out_trade_no"}},
  };
}

class DeclareBadInputTest : public testing::CliTest,
                            public ::testing::WithParamInterface<BadInput> {};

TEST_P(DeclareBadInputTest, IsRefusedWithExitCode2NamingLineAndFieldAndStoresNothing) {
  // A stored declaration, so "unchanged" is about a real database, not an absent one.
  ASSERT_EQ(DeclareText("seed.jsonl", GoodLine("SEED1") + "\n").code, 0);
  const std::string before = Snapshot();

  const BadInput& c = GetParam();
  testing::CliResult r = DeclareText(c.file_name, c.text);
  EXPECT_EQ(r.code, 2) << r.err;
  for (const std::string& want : c.expected) {
    EXPECT_NE(r.err.find(want), std::string::npos) << "stderr lacks '" << want << "':\n" << r.err;
  }
  EXPECT_EQ(r.out.find("added"), std::string::npos) << r.out;
  EXPECT_EQ(Snapshot(), before);
}

INSTANTIATE_TEST_SUITE_P(Table, DeclareBadInputTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(DeclareBadInputTableTest, HoldsAtLeastThirtyCases) { EXPECT_GE(Cases().size(), 30u); }

using DeclareRefusalTest = testing::CliTest;

TEST_F(DeclareRefusalTest, BadInputOnAFreshInstallDoesNotEvenCreateTheDatabase) {
  testing::CliResult r = DeclareText("a.jsonl", GoodLine("A 1"));
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(DatabaseExists());
}

TEST_F(DeclareRefusalTest, TheSameKeyWithOtherContentIsRefusedPointingToModify) {
  ASSERT_EQ(DeclareText("a.jsonl", GoodLine("A1") + "\n").code, 0);
  const std::string before = Snapshot();
  std::string changed = GoodLine("A1");
  changed.replace(changed.find("123456"), 6, "654321");
  testing::CliResult r = DeclareText("b.jsonl", GoodLine("NEW1") + "\n" + changed + "\n");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("modify"), std::string::npos) << r.err;
  EXPECT_EQ(Snapshot(), before);  // NEW1 was not stored either
}

TEST_F(DeclareRefusalTest, EveryBadRecordIsReportedNotJustTheFirst) {
  testing::CliResult r =
      DeclareText("a.jsonl", GoodLine("A 1") + "\n" + GoodLine("A2") + "\n" + GoodLine("A 3"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("line 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace customsd
