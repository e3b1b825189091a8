#include "wechatpay/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace customsd {
namespace {

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfc4648VectorsWithoutPaddingBytes) {
  EXPECT_EQ(Base64Decode(""), std::string());
  EXPECT_EQ(Base64Decode("Zg=="), "f");
  EXPECT_EQ(Base64Decode("Zm8="), "fo");
  EXPECT_EQ(Base64Decode("Zm9v"), "foo");
  EXPECT_EQ(Base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(Base64Decode("Zm9vYmFy"), "foobar");
}

TEST(Base64Test, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= all.size(); ++len) {
    const std::string bytes = all.substr(all.size() - len);
    const std::string text = Base64Encode(bytes);
    EXPECT_EQ(text.size() % 4, 0u);
    EXPECT_EQ(text.find('\n'), std::string::npos);
    EXPECT_EQ(Base64Decode(text), bytes) << "length " << len;
  }
}

TEST(Base64Test, KeepsTrailingZeroBytes) {
  const std::string zeros("a\0\0", 3);
  EXPECT_EQ(Base64Decode(Base64Encode(zeros)), zeros);
  EXPECT_EQ(Base64Decode("AA=="), std::string(1, '\0'));
}

TEST(Base64Test, RejectsLengthNotMultipleOfFour) {
  EXPECT_FALSE(Base64Decode("Z"));
  EXPECT_FALSE(Base64Decode("Zg"));
  EXPECT_FALSE(Base64Decode("Zg="));
  EXPECT_FALSE(Base64Decode("Zm9vY"));
}

TEST(Base64Test, RejectsNonBase64Characters) {
  EXPECT_FALSE(Base64Decode("Zm9v!mFy"));
  EXPECT_FALSE(Base64Decode("Zm9-YmFy"));  // URL-safe alphabet is not standard base64
  EXPECT_FALSE(Base64Decode("Zm9_YmFy"));
  EXPECT_FALSE(Base64Decode(std::string("Zm9\0YmFy", 8)));
}

TEST(Base64Test, RejectsWhitespaceThatOpenSslWouldSkip) {
  EXPECT_FALSE(Base64Decode(" Zm9v   "));
  EXPECT_FALSE(Base64Decode("Zm9v\nYmFy\n"));
  EXPECT_FALSE(Base64Decode("Zm9v    "));
}

TEST(Base64Test, RejectsMisplacedPadding) {
  EXPECT_FALSE(Base64Decode("===="));
  EXPECT_FALSE(Base64Decode("Z==="));
  EXPECT_FALSE(Base64Decode("Zg==Zg=="));
  EXPECT_FALSE(Base64Decode("Z=g="));
  EXPECT_FALSE(Base64Decode("Zm=v"));
}

}  // namespace
}  // namespace customsd
