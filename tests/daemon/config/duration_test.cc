#include "daemon/config/duration.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace customsd {
namespace {

using std::chrono::milliseconds;

struct GoodDuration {
  std::string text;
  int64_t millis;
};

class ParseDurationAccepts : public testing::TestWithParam<GoodDuration> {};

TEST_P(ParseDurationAccepts, TheDocumentedForms) {
  StatusOr<milliseconds> got = ParseDuration(GetParam().text);
  ASSERT_TRUE(got.ok()) << GetParam().text << ": " << got.status().message();
  EXPECT_EQ(got->count(), GetParam().millis) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Forms, ParseDurationAccepts,
    testing::Values(GoodDuration{"250ms", 250}, GoodDuration{"30s", 30'000},
                    GoodDuration{"5m", 300'000}, GoodDuration{"2h", 7'200'000},
                    GoodDuration{"72h", 259'200'000}, GoodDuration{"1d", 86'400'000},
                    GoodDuration{"1h30m", 5'400'000}, GoodDuration{"1d2h3m4s5ms", 93'784'005},
                    GoodDuration{"0s", 0}, GoodDuration{"0ms", 0}, GoodDuration{"90m", 5'400'000},
                    GoodDuration{"007s", 7'000}));

struct BadDuration {
  std::string text;
  std::string message_part;
};

class ParseDurationRefuses : public testing::TestWithParam<BadDuration> {};

TEST_P(ParseDurationRefuses, WithAMessageThatSaysWhy) {
  StatusOr<milliseconds> got = ParseDuration(GetParam().text);
  ASSERT_FALSE(got.ok()) << GetParam().text;
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(got.status().message().find(GetParam().message_part), std::string::npos)
      << got.status().message();
  EXPECT_EQ(got.status().message().find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Mistakes, ParseDurationRefuses,
    testing::Values(BadDuration{"", "empty"}, BadDuration{"30", "missing unit"},
                    BadDuration{"1h30", "missing unit"}, BadDuration{"1.5h", "fractions"},
                    BadDuration{"-5s", "sign"}, BadDuration{"+5s", "sign"},
                    BadDuration{"5 s", "spaces"}, BadDuration{" 5s", "spaces"},
                    BadDuration{"5s ", "spaces"}, BadDuration{"5x", "unknown unit \"x\""},
                    BadDuration{"5S", "unknown unit"}, BadDuration{"5sec", "unknown unit"},
                    BadDuration{"h", "expected a number"}, BadDuration{"30m1h", "largest first"},
                    BadDuration{"1h1h", "largest first"},
                    BadDuration{"99999999999999999999s", "too large"},
                    BadDuration{"9223372036854775807h", "too large"},
                    BadDuration{"5s\n", "\\x0a"}));

TEST(ParseDurationTest, MessageQuotesTheTextButNamesNoKey) {
  StatusOr<milliseconds> got = ParseDuration("1.5h");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(),
            "invalid duration \"1.5h\": fractions are not allowed (use smaller units, e.g. "
            "\"1h30m\")");
}

TEST(FormatDurationTest, UsesTheLargestUnitsWithoutDays) {
  EXPECT_EQ(FormatDuration(milliseconds(5'400'000)), "1h30m");
  EXPECT_EQ(FormatDuration(milliseconds(250)), "250ms");
  EXPECT_EQ(FormatDuration(milliseconds(1'500)), "1s500ms");
  EXPECT_EQ(FormatDuration(std::chrono::hours(72)), "72h");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(-30'000)), "-30s");
}

TEST(FormatDurationTest, IsTheInverseOfParseDuration) {
  for (int64_t ms : {1LL, 999LL, 1'000LL, 61'001LL, 3'600'000LL, 93'784'005LL, 259'200'000LL}) {
    const std::string text = FormatDuration(milliseconds(ms));
    StatusOr<milliseconds> back = ParseDuration(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().message();
    EXPECT_EQ(back->count(), ms) << text;
  }
}

}  // namespace
}  // namespace customsd
