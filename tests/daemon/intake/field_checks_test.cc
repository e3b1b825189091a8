#include "daemon/intake/field_checks.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace customsd {
namespace {

DeclarationFields Plain() {
  DeclarationFields d;
  d.appid = "wxd678efh567hg6787";
  d.mchid = "1230000109";
  d.out_trade_no = "20150806125346";
  d.transaction_id = "1000320306201511078440737890";
  d.customs = "SHANGHAI_ZS";
  d.merchant_customs_no = "123456";
  return d;
}

DeclarationFields Split() {
  DeclarationFields d = Plain();
  d.sub_order_no = "20150806125346-1";
  d.fee_type = "CNY";
  d.order_fee = 888;
  d.transport_fee = 88;
  d.product_fee = 800;
  return d;
}

TEST(ValidateDeclaration, AcceptsPlainOrder) { EXPECT_TRUE(ValidateDeclaration(Plain()).empty()); }

TEST(ValidateDeclaration, AcceptsSplitOrderWithDuty) {
  DeclarationFields d = Split();
  d.duty = 88;
  EXPECT_TRUE(ValidateDeclaration(d).empty());
}

TEST(ValidateDeclaration, AcceptsEveryCharacterWeChatAllowsInOrderNumbers) {
  DeclarationFields d = Split();
  d.out_trade_no = "aZ09_-|*@";
  d.sub_order_no = std::string(32, '@');
  EXPECT_TRUE(ValidateDeclaration(d).empty());
}

TEST(ValidateDeclaration, AcceptsZeroAndMaximumAmounts) {
  DeclarationFields d = Split();
  d.duty = kMaxFen;
  d.order_fee = kMaxFen;
  d.transport_fee = 0;
  d.product_fee = kMaxFen;
  EXPECT_TRUE(ValidateDeclaration(d).empty());
}

struct BadCase {
  const char* name;
  std::function<void(DeclarationFields&)> mutate;
  bool split;
  const char* field;
  const char* message;  // exact
};

class BadDeclaration : public testing::TestWithParam<BadCase> {};

TEST_P(BadDeclaration, IsRejectedNamingTheField) {
  const BadCase& c = GetParam();
  DeclarationFields d = c.split ? Split() : Plain();
  c.mutate(d);
  std::vector<FieldError> errors = ValidateDeclaration(d);
  std::string got;
  for (const FieldError& e : errors) got += e.field + ": " + e.message + "\n";
  ASSERT_EQ(errors.size(), 1u) << got;
  EXPECT_EQ(errors[0].field, c.field);
  EXPECT_EQ(errors[0].message, c.message);
}

constexpr const char* kOrderNoRule = "must be 1 to 32 characters of 0-9 A-Z a-z _ - | * @";
const std::string k33(33, '1');
const char* kSplitOnly = "only for split orders: set sub_order_no";
const char* kSplitRequired = "required for a split order (sub_order_no is set)";

INSTANTIATE_TEST_SUITE_P(
    Rules, BadDeclaration,
    testing::Values(
        BadCase{"EmptyAppid", [](auto& d) { d.appid = ""; }, false, "appid", "required"},
        BadCase{"OverlongAppid", [](auto& d) { d.appid = std::string(33, 'a'); }, false, "appid",
                "must be 1 to 32 characters of A-Z a-z 0-9 _; found 33 characters"},
        BadCase{"AppidWithDash", [](auto& d) { d.appid = "wx-1"; }, false, "appid",
                "must be 1 to 32 characters of A-Z a-z 0-9 _; character 3 (-) is not allowed"},
        BadCase{"MchidWithLetters", [](auto& d) { d.mchid = "12300A0109"; }, false, "mchid",
                "must be 1 to 32 digits; character 6 (A) is not allowed"},
        BadCase{"EmptyMchid", [](auto& d) { d.mchid = ""; }, false, "mchid", "required"},
        BadCase{"SqlInOrderNo", [](auto& d) { d.out_trade_no = "'; DROP TABLE declarations;--"; },
                false, "out_trade_no",
                "must be 1 to 32 characters of 0-9 A-Z a-z _ - | * @; "
                "character 1 (') is not allowed"},
        BadCase{"ShellInOrderNo", [](auto& d) { d.out_trade_no = "$(rm -rf /)"; }, false,
                "out_trade_no",
                "must be 1 to 32 characters of 0-9 A-Z a-z _ - | * @; "
                "character 1 ($) is not allowed"},
        BadCase{"OverlongOrderNo", [](auto& d) { d.out_trade_no = k33; }, false, "out_trade_no",
                "must be 1 to 32 characters of 0-9 A-Z a-z _ - | * @; found 33 characters"},
        BadCase{"SpaceInOrderNo", [](auto& d) { d.out_trade_no = "A 1"; }, false, "out_trade_no",
                "must be 1 to 32 characters of 0-9 A-Z a-z _ - | * @; "
                "character 2 (space) is not allowed"},
        BadCase{"ChineseInOrderNo", [](auto& d) { d.out_trade_no = "订单1"; }, false,
                "out_trade_no",
                "must be 1 to 32 characters of 0-9 A-Z a-z _ - | * @; "
                "character 1 (not ASCII) is not allowed"},
        BadCase{"EscapeInOrderNo", [](auto& d) { d.out_trade_no = "A\x1b[2J"; }, false,
                "out_trade_no",
                "must be 1 to 32 characters of 0-9 A-Z a-z _ - | * @; "
                "character 2 (byte 0x1B) is not allowed"},
        BadCase{"TransactionIdWithLetters", [](auto& d) { d.transaction_id = "42000x"; }, false,
                "transaction_id", "must be 1 to 32 digits; character 6 (x) is not allowed"},
        BadCase{"OverlongTransactionId", [](auto& d) { d.transaction_id = k33; }, false,
                "transaction_id", "must be 1 to 32 digits; found 33 characters"},
        BadCase{"LowercaseCustoms", [](auto& d) { d.customs = "shanghai_zs"; }, false, "customs",
                "must be 1 to 32 characters of A-Z 0-9 _; character 1 (s) is not allowed"},
        BadCase{"EmptyCustoms", [](auto& d) { d.customs = ""; }, false, "customs", "required"},
        BadCase{"SlashInCustomsNo", [](auto& d) { d.merchant_customs_no = "31/20"; }, false,
                "merchant_customs_no",
                "must be 1 to 32 characters of A-Z a-z 0-9 _ -; character 3 (/) is not allowed"},
        BadCase{"NegativeDuty", [](auto& d) { d.duty = -1; }, false, "duty",
                "must be 0 or more fen"},
        BadCase{"DutyAbove2To53", [](auto& d) { d.duty = kMaxFen + 1; }, false, "duty",
                "must be at most 9007199254740992 fen"},
        BadCase{"SemicolonInSubOrderNo", [](auto& d) { d.sub_order_no = "S;1"; }, true,
                "sub_order_no",
                "must be 1 to 32 characters of 0-9 A-Z a-z _ - | * @; "
                "character 2 (;) is not allowed"},
        BadCase{"SplitWithoutFeeType", [](auto& d) { d.fee_type.reset(); }, true, "fee_type",
                kSplitRequired},
        BadCase{"SplitInDollars", [](auto& d) { d.fee_type = "USD"; }, true, "fee_type",
                "must be \"CNY\" (the only currency WeChat accepts)"},
        BadCase{"SplitWithoutOrderFee", [](auto& d) { d.order_fee.reset(); }, true, "order_fee",
                kSplitRequired},
        BadCase{"SplitWithoutTransportFee", [](auto& d) { d.transport_fee.reset(); }, true,
                "transport_fee", kSplitRequired},
        BadCase{"SplitWithoutProductFee", [](auto& d) { d.product_fee.reset(); }, true,
                "product_fee", kSplitRequired},
        BadCase{"SplitFeesThatDoNotAddUp", [](auto& d) { d.order_fee = 889; }, true, "order_fee",
                "must equal transport_fee + product_fee (88 + 800 = 888), found 889"},
        BadCase{"NegativeTransportFee",
                [](auto& d) {
                  d.transport_fee = -100;
                  d.order_fee = 700;
                },
                true, "transport_fee", "must be 0 or more fen"},
        BadCase{"FeeTypeWithoutSubOrderNo", [](auto& d) { d.fee_type = "CNY"; }, false, "fee_type",
                kSplitOnly},
        BadCase{"OrderFeeWithoutSubOrderNo", [](auto& d) { d.order_fee = 1; }, false, "order_fee",
                kSplitOnly}),
    [](const testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(ValidateDeclaration, ForgottenSubOrderNoReportsEveryFeeField) {
  DeclarationFields d = Split();
  d.sub_order_no = "";
  std::vector<FieldError> errors = ValidateDeclaration(d);
  std::vector<FieldError> want = {{"fee_type", kSplitOnly},
                                  {"order_fee", kSplitOnly},
                                  {"transport_fee", kSplitOnly},
                                  {"product_fee", kSplitOnly}};
  EXPECT_EQ(errors, want);
}

TEST(ValidateDeclaration, ReportsEveryProblemInFieldOrder) {
  DeclarationFields d;
  d.duty = -5;
  std::vector<std::string> fields;
  for (const FieldError& e : ValidateDeclaration(d)) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"appid", "mchid", "out_trade_no", "transaction_id",
                                              "customs", "merchant_customs_no", "duty"}));
}

TEST(ValidateDeclaration, NeverEchoesTheRejectedValue) {
  DeclarationFields d = Plain();
  d.out_trade_no = std::string("\xff\xfe\x1b]0;pwned\x07") + std::string(40, 'x');
  std::vector<FieldError> errors = ValidateDeclaration(d);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, std::string(kOrderNoRule) +
                                   "; found 52 characters; character 1 (not ASCII) is not allowed");
}

TEST(ValidateDeclaration, StrayContinuationBytesAreNotAnEmptyValue) {
  DeclarationFields d = Plain();
  d.mchid = "\x80\x80";
  std::vector<FieldError> want = {
      {"mchid", "must be 1 to 32 digits; character 1 (not ASCII) is not allowed"}};
  EXPECT_EQ(ValidateDeclaration(d), want);
}

TEST(Customs, KnowsCurrentAndOlderCodes) {
  for (const char* code : {"GUANGZHOU_ZS", "HANGZHOU_ZS", "NINGBO", "ZHENGZHOU_BS", "SHANGHAI_ZS",
                           "ZONGSHU", "GUANGZHOU", "ZHENGZHOU_ZH"}) {
    EXPECT_TRUE(IsKnownCustomsCode(code)) << code;
  }
  EXPECT_FALSE(IsKnownCustomsCode("FOO"));
  EXPECT_FALSE(IsKnownCustomsCode("shanghai_zs"));
  EXPECT_FALSE(IsKnownCustomsCode(""));
}

TEST(Customs, UnknownWellFormedCodeIsAWarningNotAnError) {
  DeclarationFields d = Plain();
  d.customs = "FOO";
  EXPECT_TRUE(ValidateDeclaration(d).empty());
  std::vector<FieldError> want = {
      {"customs", "'FOO' is not a customs code customsd knows; declared anyway"}};
  EXPECT_EQ(DeclarationWarnings(d), want);
}

TEST(Customs, MalformedCodeIsOnlyAnError) {
  DeclarationFields d = Plain();
  d.customs = "foo\n";
  EXPECT_TRUE(DeclarationWarnings(d).empty());
  EXPECT_EQ(ValidateDeclaration(d).size(), 1u);
}

TEST(ParseFenText, ReadsWholeNumbersAndSaturates) {
  EXPECT_EQ(ParseFenText("0"), 0);
  EXPECT_EQ(ParseFenText("888"), 888);
  EXPECT_EQ(ParseFenText("-5"), -5);
  EXPECT_EQ(ParseFenText("99999999999999999999999"), kMaxFen + 1);
  for (const char* bad : {"", "-", "1.5", " 1", "1 ", "+1", "1e3", "0x10", "１"}) {
    EXPECT_EQ(ParseFenText(bad), std::nullopt) << bad;
  }
}

TEST(PrintableName, HidesControlCharactersAndCutsLongNames) {
  EXPECT_EQ(PrintableName("pay\x1b[2Jer"), "pay?[2Jer");
  EXPECT_EQ(PrintableName(std::string(50, 'x')), std::string(40, 'x') + "...");
  std::string chinese;
  for (int i = 0; i < 41; ++i) chinese += "订";
  EXPECT_EQ(PrintableName(chinese), chinese.substr(0, 40 * 3) + "...");
}

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_EQ(FindInvalidUtf8(""), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("abc 订单 \xF0\x9F\x98\x80"), std::string_view::npos);
}

TEST(Utf8, FindsTheFirstBadByte) {
  EXPECT_EQ(FindInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FindInvalidUtf8("a\xC0\x80"), 1u);         // overlong NUL
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0u);      // surrogate
  EXPECT_EQ(FindInvalidUtf8("xy\xE8\xAE"), 2u);        // cut short
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("ok\x80"), 2u);            // stray continuation byte
}

}  // namespace
}  // namespace customsd

namespace customsd {
namespace {

TEST(PrintableNameTest, HidesControlsThatCouldFoolATerminalOrAReader) {
  EXPECT_EQ(PrintableName("sub_order"), "sub_order");
  EXPECT_EQ(PrintableName("a\nb"), "a?b");
  EXPECT_EQ(PrintableName("\xC2\x85x"), "?x");  // U+0085, a C1 control
  EXPECT_EQ(PrintableName("\xC2\x9B"
                          "31m"),
            "?31m");  // U+009B, CSI
  EXPECT_EQ(PrintableName("a\xE2\x80\xAE"
                          "b"),
            "a?b");  // U+202E, right-to-left override
  EXPECT_EQ(PrintableName("a\xD8\x9C"
                          "b"),
            "a?b");  // U+061C, Arabic letter mark
  EXPECT_EQ(PrintableName("\xE5\x95\x86\xE6\x88\xB7"), "\xE5\x95\x86\xE6\x88\xB7");  // text stays
}

}  // namespace
}  // namespace customsd
