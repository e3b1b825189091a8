#include "daemon/intake/intake.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#ifndef CUSTOMSD_SOURCE_DIR
#define CUSTOMSD_SOURCE_DIR "/work/main"
#endif

namespace customsd {
namespace {

using Json = nlohmann::json;

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(CUSTOMSD_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Describe(const std::vector<IntakeProblem>& problems) {
  std::string out;
  for (const IntakeProblem& p : problems) out += p.ToString() + "\n";
  return out;
}

// A valid plain declaration as one JSON line, with `patch` merged in (null removes a field).
std::string Line(const std::string& out_trade_no, const char* patch = "{}") {
  Json j = {{"appid", "wxd678efh567hg6787"}, {"mchid", "1230000109"},
            {"out_trade_no", out_trade_no},  {"transaction_id", "4200002111202405065106740011"},
            {"customs", "SHANGHAI_ZS"},      {"merchant_customs_no", "31209606ZK"}};
  j.merge_patch(Json::parse(patch));
  return j.dump();
}

constexpr const char* kSplit =
    R"({"sub_order_no":"B2-1","fee_type":"CNY","order_fee":900,"transport_fee":100,"product_fee":800})";
constexpr const char* kSplit2 =
    R"({"sub_order_no":"B2-2","fee_type":"CNY","order_fee":500,"transport_fee":0,"product_fee":500})";

IntakeResult Parse(std::string_view text, IntakeOptions options = {}) {
  return ParseDeclarations(text, options);
}

TEST(Intake, ExampleJsonLinesFileIsValid) {
  std::string text = ReadSource("examples/declarations.jsonl");
  ASSERT_FALSE(text.empty()) << "examples/declarations.jsonl not found";
  IntakeResult r = Parse(text);
  EXPECT_TRUE(r.errors.empty()) << Describe(r.errors);
  EXPECT_TRUE(r.warnings.empty()) << Describe(r.warnings);
  EXPECT_EQ(r.records.size(), 12u);
}

TEST(Intake, ExampleCsvFileIsValid) {
  std::string text = ReadSource("examples/declarations.csv");
  ASSERT_FALSE(text.empty()) << "examples/declarations.csv not found";
  IntakeResult r = Parse(text);
  EXPECT_TRUE(r.errors.empty()) << Describe(r.errors);
  EXPECT_TRUE(r.warnings.empty()) << Describe(r.warnings);
  ASSERT_EQ(r.records.size(), 5u);
  EXPECT_EQ(r.records[4].fields.out_trade_no, "ZZ-20240509|1147");  // was quoted
}

TEST(Intake, ReadsEveryFieldOfAJsonLine) {
  IntakeResult r = Parse("\n" + Line("B2", kSplit) + "\n");
  ASSERT_TRUE(r.errors.empty()) << Describe(r.errors);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].line, 2);
  const DeclarationFields& f = r.records[0].fields;
  EXPECT_EQ(f.sub_order_no, "B2-1");
  EXPECT_EQ(f.fee_type, "CNY");
  EXPECT_EQ(f.order_fee, 900);
  EXPECT_EQ(f.transport_fee, 100);
  EXPECT_EQ(f.product_fee, 800);
  EXPECT_FALSE(f.duty.has_value());
}

TEST(Intake, NullAndEmptyStringMeanAbsent) {
  IntakeResult r = Parse(Line("B2", R"({"duty":null,"fee_type":"","sub_order_no":null})"));
  ASSERT_TRUE(r.errors.empty()) << Describe(r.errors);
  EXPECT_FALSE(r.records[0].fields.duty.has_value());
  EXPECT_FALSE(r.records[0].fields.fee_type.has_value());
}

struct BadLine {
  const char* name;
  std::string line;  // placed on line 3, between valid declarations
  const char* field;
  std::string message;
};

class BadJsonLine : public testing::TestWithParam<BadLine> {};

TEST_P(BadJsonLine, IsReportedWithItsLineAndField) {
  const BadLine& c = GetParam();
  IntakeResult r = Parse(Line("A1") + "\n\n" + c.line + "\n" + Line("C3") + "\n");
  ASSERT_EQ(r.errors.size(), 1u) << Describe(r.errors);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].field, c.field);
  EXPECT_EQ(r.errors[0].message, c.message);
  EXPECT_EQ(r.records.size(), 2u);  // the good lines are still read
}

const std::string kOrderNoRule = "must be 1 to 32 characters of 0-9 A-Z a-z _ - | * @";
const std::string kWhole = "must be a whole number of fen";

INSTANTIATE_TEST_SUITE_P(
    JsonLines, BadJsonLine,
    testing::Values(
        BadLine{"NotJson", R"({"appid": )", "", "not valid JSON (error at byte 11)"},
        BadLine{"TrailingGarbage", Line("B2") + " x", "",
                "not valid JSON (error at byte " + std::to_string(Line("B2").size() + 2) + ")"},
        BadLine{"NotAnObject", "[1,2]", "", "not a JSON object"},
        BadLine{"BareString", R"("B2")", "", "not a JSON object"},
        BadLine{"InvalidUtf8", std::string(R"({"out_trade_no":"B)") + "\xff" + R"("})", "",
                "not valid UTF-8 (byte 19 of the line)"},
        BadLine{"UnknownField", Line("B2", R"({"payer":"x"})"), "payer", "unknown field"},
        BadLine{"UnknownFieldWithControlCharacter", Line("B2", R"({"a\u0007b":1})"), "a?b",
                "unknown field"},
        BadLine{"FeeAsFloat", Line("B2", R"({"duty":1.5})"), "duty", kWhole},
        BadLine{"FeeAsWholeFloat", Line("B2", R"({"duty":100.0})"), "duty", kWhole},
        BadLine{"FeeAsString", Line("B2", R"({"duty":"12"})"), "duty", kWhole},
        BadLine{"FeeAsBoolean", Line("B2", R"({"duty":true})"), "duty", kWhole},
        BadLine{"NegativeFee", Line("B2", R"({"duty":-1})"), "duty", "must be 0 or more fen"},
        BadLine{"HugeFee", Line("B2", R"({"duty":18446744073709551615})"), "duty",
                "must be at most 9007199254740992 fen"},
        BadLine{"TransactionIdAsNumber", Line("B2", R"({"transaction_id":4200002111})"),
                "transaction_id", "must be a string"},
        BadLine{"CustomsAsObject", Line("B2", R"({"customs":{"x":1}})"), "customs",
                "must be a string"},
        BadLine{"RepeatedKey",
                R"({"appid":"wxd678efh567hg6787","mchid":"1230000109","out_trade_no":"B2",)"
                R"("transaction_id":"4200002111202405065106740011","customs":"NINGBO",)"
                R"("merchant_customs_no":"X1","duty":1,"duty":2})",
                "duty", "appears more than once in the object"},
        BadLine{"SqlInOrderNo", Line("'; DROP TABLE declarations;--"), "out_trade_no",
                kOrderNoRule + "; character 1 (') is not allowed"},
        BadLine{"ShellInOrderNo", Line("$(rm -rf /)"), "out_trade_no",
                kOrderNoRule + "; character 1 ($) is not allowed"},
        BadLine{"OverlongOrderNo", Line(std::string(33, 'B')), "out_trade_no",
                kOrderNoRule + "; found 33 characters"},
        BadLine{"MissingTransactionId", Line("B2", R"({"transaction_id":null})"), "transaction_id",
                "required"},
        BadLine{"BellInCustomsNo", Line("B2", R"({"merchant_customs_no":"31\u0007"})"),
                "merchant_customs_no",
                "must be 1 to 32 characters of A-Z a-z 0-9 _ -; character 3 (byte 0x07) is not "
                "allowed"},
        BadLine{"LowercaseCustoms", Line("B2", R"({"customs":"ningbo"})"), "customs",
                "must be 1 to 32 characters of A-Z 0-9 _; character 1 (n) is not allowed"},
        BadLine{"SplitFeesDoNotAddUp", Line("B2", R"({"sub_order_no":"S1","fee_type":"CNY",
                "order_fee":1000,"transport_fee":100,"product_fee":800})"),
                "order_fee",
                "must equal transport_fee + product_fee (100 + 800 = 900), found 1000"},
        BadLine{"SplitWithoutProductFee", Line("B2", R"({"sub_order_no":"S1","fee_type":"CNY",
                "order_fee":100,"transport_fee":100})"),
                "product_fee", "required for a split order (sub_order_no is set)"},
        BadLine{"SplitInDollars", Line("B2", R"({"sub_order_no":"S1","fee_type":"USD",
                "order_fee":100,"transport_fee":0,"product_fee":100})"),
                "fee_type", "must be \"CNY\" (the only currency WeChat accepts)"},
        BadLine{"FeeWithoutSubOrderNo", Line("B2", R"({"order_fee":900})"), "order_fee",
                "only for split orders: set sub_order_no"}),
    [](const testing::TestParamInfo<BadLine>& info) { return std::string(info.param.name); });

TEST(Intake, ReportsEveryProblemOfEveryRecord) {
  std::string text = Line("A1", R"({"appid":"", "duty":-2})") + "\n" + Line("B2") + "\n" +
                     Line("C3", R"({"fee_type":"CNY","customs":"x"})") + "\n";
  IntakeResult r = Parse(text);
  std::vector<std::string> got;
  for (const IntakeProblem& p : r.errors) got.push_back(p.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "line 1: appid: required",
                     "line 1: duty: must be 0 or more fen",
                     "line 3: customs: must be 1 to 32 characters of A-Z 0-9 _; character 1 (x) "
                     "is not allowed",
                     "line 3: fee_type: only for split orders: set sub_order_no",
                 }));
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].line, 2);
}

TEST(Intake, DuplicateKeyIsReportedOnTheLaterLine) {
  std::string split = Line("B2", kSplit);
  IntakeResult r = Parse(Line("A1") + "\n" + split + "\n\n" + split + "\n" + Line("A1") + "\n");
  ASSERT_EQ(r.errors.size(), 2u) << Describe(r.errors);
  EXPECT_EQ(r.errors[0].ToString(),
            "line 4: duplicate of line 2 (same mchid, out_trade_no, sub_order_no, customs)");
  EXPECT_EQ(r.errors[1].ToString(),
            "line 5: duplicate of line 1 (same mchid, out_trade_no, sub_order_no, customs)");
}

TEST(Intake, SameOrderAtAnotherCustomsOrSubOrderIsNotADuplicate) {
  IntakeResult r = Parse(Line("A1") + "\n" + Line("A1", R"({"customs":"NINGBO"})") + "\n" +
                         Line("B2", kSplit) + "\n" + Line("B2", kSplit2));
  EXPECT_TRUE(r.errors.empty()) << Describe(r.errors);
  EXPECT_EQ(r.records.size(), 4u);
}

TEST(Intake, DefaultsFillMissingMerchantAndAppid) {
  IntakeOptions options;
  options.default_mchid = "1230000109";
  options.default_appid = "wxd678efh567hg6787";
  IntakeResult r = Parse(Line("A1", R"({"mchid":null,"appid":null})"), options);
  ASSERT_TRUE(r.errors.empty()) << Describe(r.errors);
  EXPECT_EQ(r.records[0].fields.mchid, "1230000109");
  EXPECT_EQ(r.records[0].fields.appid, "wxd678efh567hg6787");
}

TEST(Intake, MerchantOutsideTheConfigIsRejected) {
  IntakeOptions options;
  options.allowed_mchids = {"1230000109"};
  IntakeResult r = Parse(Line("A1") + "\n" + Line("A1", R"({"mchid":"1900000001"})"), options);
  ASSERT_EQ(r.errors.size(), 1u) << Describe(r.errors);
  EXPECT_EQ(r.errors[0].ToString(), "line 2: mchid: not a merchant in the config");
}

TEST(Intake, UnknownCustomsIsAWarning) {
  IntakeResult r = Parse(Line("A1", R"({"customs":"XIAMEN"})"));
  EXPECT_TRUE(r.errors.empty()) << Describe(r.errors);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].ToString(),
            "line 1: customs: 'XIAMEN' is not a customs code customsd knows; declared anyway");
  EXPECT_EQ(r.records.size(), 1u);
}

TEST(Intake, InputWithoutDeclarationsIsAnError) {
  for (std::string text : {"", "\n\n  \r\n", "\xEF\xBB\xBF",
                           "appid,mchid,out_trade_no,"
                           "transaction_id,customs,"
                           "merchant_customs_no\r\n\r\n"}) {
    IntakeResult r = Parse(text);
    ASSERT_EQ(r.errors.size(), 1u) << Describe(r.errors);
    EXPECT_EQ(r.errors[0].ToString(), "input: no declarations found");
  }
}

TEST(Intake, ProblemsPrintAsOneLine) {
  EXPECT_EQ((IntakeProblem{4, "transaction_id", "must be 1 to 32 digits"}).ToString(),
            "line 4: transaction_id: must be 1 to 32 digits");
  EXPECT_EQ((IntakeProblem{0, "", "no declarations found"}).ToString(),
            "input: no declarations found");
  EXPECT_EQ((IntakeProblem{4, "", "not a JSON object"}).ToString(), "line 4: not a JSON object");
}

TEST(Intake, ForcedJsonLinesFormatReportsCsvLines) {
  IntakeOptions options;
  options.format = IntakeFormat::kJsonLines;
  IntakeResult r = Parse("appid,mchid\n", options);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 1);
}

// ---- CSV ----

constexpr const char* kHeader =
    "appid,mchid,out_trade_no,transaction_id,customs,merchant_customs_no,duty,sub_order_no,"
    "fee_type,order_fee,transport_fee,product_fee";

// A valid plain declaration as one CSV row under kHeader, with some cells replaced.
std::string Row(const std::string& out_trade_no, std::map<std::string, std::string> cells = {}) {
  std::map<std::string, std::string> base = {{"appid", "wxd678efh567hg6787"},
                                             {"mchid", "1230000109"},
                                             {"transaction_id", "4200002111202405065106740011"},
                                             {"customs", "SHANGHAI_ZS"},
                                             {"merchant_customs_no", "31209606ZK"}};
  base["out_trade_no"] = out_trade_no;
  for (auto& [k, v] : cells) base[k] = v;
  std::string row = base["appid"];
  for (const char* name :
       {"mchid", "out_trade_no", "transaction_id", "customs", "merchant_customs_no", "duty",
        "sub_order_no", "fee_type", "order_fee", "transport_fee", "product_fee"}) {
    row += "," + base[name];
  }
  return row;
}

TEST(CsvIntake, ReadsColumnsInAnyOrderWithSpacesInTheHeader) {
  IntakeResult r = Parse(
      "customs , out_trade_no,transaction_id,merchant_customs_no,mchid,appid,order_fee,"
      "sub_order_no,product_fee,fee_type,transport_fee\n"
      "NINGBO,B2,4200002111202405065106740011,3302461A8Q,1230000109,wxd678efh567hg6787,900,"
      "B2-1,800,CNY,100\n");
  ASSERT_TRUE(r.errors.empty()) << Describe(r.errors);
  const DeclarationFields& f = r.records[0].fields;
  EXPECT_EQ(f.customs, "NINGBO");
  EXPECT_EQ(f.order_fee, 900);
  EXPECT_EQ(f.transport_fee, 100);
  EXPECT_EQ(f.fee_type, "CNY");
  EXPECT_FALSE(f.duty.has_value());
}

TEST(CsvIntake, AcceptsBomCrlfAndQuotedCells) {
  std::string text = "\xEF\xBB\xBF" + std::string(kHeader) + "\r\n" + Row("A1") + "\r\n" +
                     Row("\"B2\"", {{"duty", "\"1250\""}}) + "\r\n";
  IntakeResult r = Parse(text);
  ASSERT_TRUE(r.errors.empty()) << Describe(r.errors);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].line, 3);
  EXPECT_EQ(r.records[1].fields.out_trade_no, "B2");
  EXPECT_EQ(r.records[1].fields.duty, 1250);
}

TEST(CsvIntake, DefaultsReplaceMissingColumns) {
  IntakeOptions options;
  options.default_mchid = "1230000109";
  options.default_appid = "wxd678efh567hg6787";
  IntakeResult r = Parse(
      "out_trade_no,transaction_id,customs,merchant_customs_no\n"
      "A1,4200002111202405065106740011,SHANGHAI_ZS,31209606ZK\n",
      options);
  ASSERT_TRUE(r.errors.empty()) << Describe(r.errors);
  EXPECT_EQ(r.records[0].fields.mchid, "1230000109");
  EXPECT_EQ(r.records[0].fields.appid, "wxd678efh567hg6787");
}

TEST(CsvIntake, MultiLineRecordIsReportedOnTheLineItStartsAndLaterLinesStayRight) {
  std::string text =
      std::string(kHeader) + "\n" + Row("\"A\n1\"") + "\n" + Row("B2", {{"duty", "x"}});
  IntakeResult r = Parse(text);
  std::vector<std::string> got;
  for (const IntakeProblem& p : r.errors) got.push_back(p.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{"line 2: out_trade_no: " + kOrderNoRule +
                                               "; character 2 (byte 0x0A) is not allowed",
                                           "line 4: duty: must be a whole number of fen"}));
}

struct BadCsv {
  const char* name;
  std::string text;
  int line;
  const char* field;
  std::string message;
};

class BadCsvInput : public testing::TestWithParam<BadCsv> {};

TEST_P(BadCsvInput, IsReportedWithItsLineAndField) {
  const BadCsv& c = GetParam();
  IntakeResult r = Parse(c.text);
  ASSERT_EQ(r.errors.size(), 1u) << Describe(r.errors);
  EXPECT_EQ(r.errors[0].line, c.line);
  EXPECT_EQ(r.errors[0].field, c.field);
  EXPECT_EQ(r.errors[0].message, c.message);
}

const std::string kH = std::string(kHeader) + "\n";
const std::string kShortHeader = "appid,mchid,out_trade_no,transaction_id,customs";
const std::string kShortRow = "wxd678efh567hg6787,1230000109,A1,4200002111202405065106740011";

INSTANTIATE_TEST_SUITE_P(
    Csv, BadCsvInput,
    testing::Values(
        BadCsv{"UnknownColumn", std::string(kHeader) + ",payer\n" + Row("A1") + ",x\n", 1, "payer",
               "unknown column (column 13)"},
        BadCsv{"MissingColumn", kShortHeader + "\n" + kShortRow + ",NINGBO\n", 1,
               "merchant_customs_no", "required column missing from the header"},
        BadCsv{"MissingMchidColumnWithoutDefault",
               "appid,out_trade_no,transaction_id,customs,merchant_customs_no\n", 1, "mchid",
               "required column missing from the header"},
        BadCsv{"RepeatedColumn", std::string(kHeader) + ",duty\n" + Row("A1") + ",1\n", 1, "duty",
               "column appears more than once in the header"},
        BadCsv{"UnnamedColumn", std::string(kHeader) + ",\n" + Row("A1") + ",\n", 1, "",
               "column 13 has no name in the header"},
        BadCsv{"HeaderNotUtf8", std::string(kHeader) + ",\xc3(\n" + Row("A1") + ",x\n", 1, "",
               "column 13: header is not valid UTF-8"},
        BadCsv{"BrokenHeaderLine", "appid,mch\"id\n" + Row("A1") + "\n", 1, "",
               "a '\"' inside an unquoted field in column 2 (quote the whole field and double "
               "the quote)"},
        BadCsv{"ShortRow", kH + Row("A1") + "\n" + Row("B2").substr(0, 60) + "\n", 3, "",
               "has 4 cells but the header has 12"},
        BadCsv{"LongRow", kH + Row("A1") + ",\n", 2, "", "has 13 cells but the header has 12"},
        BadCsv{"UnterminatedQuote", kH + Row("A1") + "\n" + Row("\"B2") + "\n", 3, "",
               "unterminated quoted field in column 3 (opened on line 3)"},
        BadCsv{"StrayQuote", kH + Row("A\"1") + "\n" + Row("B2") + "\n", 2, "",
               "a '\"' inside an unquoted field in column 3 (quote the whole field and double "
               "the quote)"},
        BadCsv{"CellNotUtf8", kH + Row("A1") + "\n" + Row("B\xe8\xae") + "\n", 3, "out_trade_no",
               "not valid UTF-8 (column 3)"},
        BadCsv{"FeeWithDecimals", kH + Row("A1", {{"duty", "1.5"}}), 2, "duty", kWhole},
        BadCsv{"FeeAsWord", kH + Row("A1", {{"duty", "ten"}}), 2, "duty", kWhole},
        BadCsv{"FeeWithPlusSign", kH + Row("A1", {{"duty", "+5"}}), 2, "duty", kWhole},
        BadCsv{"NegativeFee", kH + Row("A1", {{"duty", "-5"}}), 2, "duty", "must be 0 or more fen"},
        BadCsv{"HugeFee", kH + Row("A1", {{"duty", "99999999999999999999999"}}), 2, "duty",
               "must be at most 9007199254740992 fen"},
        BadCsv{"SqlInOrderNo", kH + Row("\"'; DROP TABLE declarations;--\""), 2, "out_trade_no",
               kOrderNoRule + "; character 1 (') is not allowed"},
        BadCsv{"ShellInOrderNo", kH + Row("$(rm -rf /)"), 2, "out_trade_no",
               kOrderNoRule + "; character 1 ($) is not allowed"},
        BadCsv{"OverlongTransactionId", kH + Row("A1", {{"transaction_id", std::string(40, '4')}}),
               2, "transaction_id", "must be 1 to 32 digits; found 40 characters"},
        BadCsv{"FeesWithoutSubOrderNo",
               kH + Row("A1", {{"fee_type", "CNY"}, {"order_fee", ""}}) + "\n", 2, "fee_type",
               "only for split orders: set sub_order_no"},
        BadCsv{"SplitFeesDoNotAddUp",
               kH + Row("A1", {{"sub_order_no", "A1-1"},
                               {"fee_type", "CNY"},
                               {"order_fee", "500"},
                               {"transport_fee", "100"},
                               {"product_fee", "500"}}),
               2, "order_fee",
               "must equal transport_fee + product_fee (100 + 500 = 600), found 500"},
        BadCsv{"DuplicateRow", kH + Row("A1") + "\n" + Row("B2") + "\n" + Row("A1") + "\n", 4, "",
               "duplicate of line 2 (same mchid, out_trade_no, sub_order_no, customs)"}),
    [](const testing::TestParamInfo<BadCsv>& info) { return std::string(info.param.name); });

TEST(Intake, NeverThrowsWhateverTheBytes) {
  std::mt19937 rng(20240506);
  const std::string seeds[] = {ReadSource("examples/declarations.jsonl"),
                               ReadSource("examples/declarations.csv"), std::string(5000, '['),
                               std::string(5000, '"')};
  for (int round = 0; round < 400; ++round) {
    std::string text = seeds[round % 4];
    for (int k = 0; k < 1 + round % 8 && !text.empty(); ++k) {
      text[rng() % text.size()] = static_cast<char>(rng() % 256);
    }
    for (IntakeFormat format :
         {IntakeFormat::kAuto, IntakeFormat::kJsonLines, IntakeFormat::kCsv}) {
      IntakeOptions options;
      options.format = format;
      EXPECT_NO_THROW((void)ParseDeclarations(text, options));
    }
  }
}

}  // namespace
}  // namespace customsd
