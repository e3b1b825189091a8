#include "common/time_format.h"

#include <gtest/gtest.h>

namespace customsd {
namespace {

TEST(TimeFormatTest, FormatsUnixMillisAsRfc3339Utc) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1700000000123), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59Z");
}

TEST(TimeFormatTest, ParsesRfc3339WithOffsetsAndFractions) {
  EXPECT_EQ(ParseRfc3339("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(ParseRfc3339("2023-11-15T06:13:20+08:00"), 1700000000000);
  EXPECT_EQ(ParseRfc3339("2023-11-14T17:13:20.25-05:00"), 1700000000250);
  EXPECT_EQ(ParseRfc3339("2023-11-14 22:13:20Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2023-11-14T22:13:20"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2023-13-14T22:13:20Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2023-11-14T22:13:20+8"), std::nullopt);
  EXPECT_EQ(ParseRfc3339(""), std::nullopt);
}

TEST(TimeFormatTest, AgesShowTheTwoLargestUnits) {
  using std::chrono::milliseconds;
  EXPECT_EQ(FormatAge(milliseconds(0)), "0s");
  EXPECT_EQ(FormatAge(milliseconds(45'000)), "45s");
  EXPECT_EQ(FormatAge(milliseconds(725'000)), "12m5s");
  EXPECT_EQ(FormatAge(milliseconds((3 * 3600 + 12 * 60 + 9) * 1000LL)), "3h12m");
  EXPECT_EQ(FormatAge(milliseconds(3 * 3600 * 1000LL)), "3h");
  EXPECT_EQ(FormatAge(milliseconds((2 * 86400 + 4 * 3600) * 1000LL)), "2d4h");
  EXPECT_EQ(FormatAge(milliseconds(-5000)), "0s");
}

}  // namespace
}  // namespace customsd
