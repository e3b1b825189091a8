#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "wechatpay/signer.h"

#ifndef CUSTOMSD_VECTORS_DIR
#define CUSTOMSD_VECTORS_DIR "/work/main/tests/vectors"
#endif

namespace customsd {
namespace {

constexpr char kValid[] =
    R"(WECHATPAY2-SHA256-RSA2048 mchid="1230000109",serial_no="ABC",timestamp="1700000000",)"
    R"(nonce_str="N0nce",signature="c2ln+/==")";

void ExpectRefused(const std::string& header) {
  StatusOr<ParsedAuthorization> parsed = ParseAuthorization(header);
  ASSERT_FALSE(parsed.ok()) << header;
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidInput);
  // The header carries a signature: errors must not echo its values.
  EXPECT_EQ(parsed.status().message().find("c2ln"), std::string::npos);
  EXPECT_EQ(parsed.status().message().find("1230000109"), std::string::npos);
}

TEST(ParseAuthorizationTest, ReadsEveryVectorHeader) {
  std::ifstream in(std::string(CUSTOMSD_VECTORS_DIR) + "/apiv3-vectors.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const nlohmann::json vectors = nlohmann::json::parse(ss.str());
  ASSERT_FALSE(vectors["request_signing"].empty());
  for (const auto& c : vectors["request_signing"]) {
    StatusOr<ParsedAuthorization> parsed =
        ParseAuthorization(c["authorization"].get<std::string>());
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(parsed->mchid, vectors["mchid"].get<std::string>());
    EXPECT_EQ(parsed->serial_no, vectors["merchant_serial"].get<std::string>());
    EXPECT_EQ(parsed->timestamp, c["timestamp"].get<std::string>());
    EXPECT_EQ(parsed->nonce_str, c["nonce"].get<std::string>());
    EXPECT_EQ(parsed->signature, c["signature"].get<std::string>());
  }
}

TEST(ParseAuthorizationTest, AcceptsAnyOrderAndSpacesAfterCommas) {
  StatusOr<ParsedAuthorization> parsed = ParseAuthorization(
      R"(WECHATPAY2-SHA256-RSA2048 signature="c2ln+/==", nonce_str="N0nce",  timestamp="1700000000",)"
      R"( serial_no="ABC",mchid="1230000109")");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->mchid, "1230000109");
  EXPECT_EQ(parsed->serial_no, "ABC");
  EXPECT_EQ(parsed->timestamp, "1700000000");
  EXPECT_EQ(parsed->nonce_str, "N0nce");
  EXPECT_EQ(parsed->signature, "c2ln+/==");
  EXPECT_TRUE(ParseAuthorization(kValid).ok());
}

TEST(ParseAuthorizationTest, RefusesWrongScheme) {
  const std::string items = std::string(kValid).substr(std::string(kValid).find(' '));
  ExpectRefused("WECHATPAY2-SHA256-RSA4096" + items);
  ExpectRefused("wechatpay2-sha256-rsa2048" + items);
  ExpectRefused("Bearer" + items);
  ExpectRefused(items.substr(1));
  ExpectRefused("WECHATPAY2-SHA256-RSA2048");
  ExpectRefused("WECHATPAY2-SHA256-RSA2048,mchid=\"1\"");
  ExpectRefused("");
}

TEST(ParseAuthorizationTest, RefusesEachMissingItem) {
  for (const char* name : {"mchid", "serial_no", "timestamp", "nonce_str", "signature"}) {
    std::string header = kValid;
    const size_t start = header.find(std::string(name) + "=");
    ASSERT_NE(start, std::string::npos);
    size_t end = header.find(',', start);
    if (end == std::string::npos) {
      header.erase(start - 1);  // the last item: drop it with the comma before it
    } else {
      header.erase(start, end + 1 - start);
    }
    SCOPED_TRACE(name);
    ExpectRefused(header);
  }
}

TEST(ParseAuthorizationTest, RefusesDuplicateItem) {
  ExpectRefused(std::string(kValid) + R"(,mchid="1230000109")");
  ExpectRefused(std::string(kValid) + R"(,signature="c2ln")");
}

TEST(ParseAuthorizationTest, RefusesUnquotedOrBrokenValues) {
  ExpectRefused(
      R"(WECHATPAY2-SHA256-RSA2048 mchid=1230000109,serial_no="ABC",timestamp="1700000000",)"
      R"(nonce_str="N0nce",signature="c2ln+/==")");
  ExpectRefused(
      R"(WECHATPAY2-SHA256-RSA2048 mchid="1230000109",serial_no="ABC",timestamp="1700000000",)"
      R"(nonce_str="N0nce",signature="c2ln+/==)");
  ExpectRefused(
      R"(WECHATPAY2-SHA256-RSA2048 mchid="1230000109",serial_no="ABC",timestamp="1700000000",)"
      R"(nonce_str='N0nce',signature="c2ln+/==")");
  ExpectRefused(
      R"(WECHATPAY2-SHA256-RSA2048 mchid="1230000109" serial_no="ABC",timestamp="1700000000",)"
      R"(nonce_str="N0nce",signature="c2ln+/==")");
  ExpectRefused(R"(WECHATPAY2-SHA256-RSA2048 mchid="",serial_no="ABC",timestamp="1700000000",)"
                R"(nonce_str="N0nce",signature="c2ln+/==")");
  ExpectRefused(std::string(kValid) + ",");
  ExpectRefused(std::string(kValid) + R"(,extra="1")");
}

}  // namespace
}  // namespace customsd
