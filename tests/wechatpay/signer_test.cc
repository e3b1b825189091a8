#include "wechatpay/signer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/test_config.h"

namespace customsd {
namespace {

class SignerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vectors_ = nlohmann::json::parse(testing::ReadVector("apiv3-vectors.json"));
    StatusOr<EvpPkeyPtr> key =
        ParsePrivateKeyPem(testing::ReadVector("merchant_key.pem"), "merchant");
    ASSERT_TRUE(key.ok()) << key.status().message();
    merchant_key_ = Share(std::move(key).value());
    StatusOr<EvpPkeyPtr> cert = ParsePublicKeyPem(testing::ReadVector("merchant_cert.pem"), "cert");
    ASSERT_TRUE(cert.ok()) << cert.status().message();
    merchant_cert_ = Share(std::move(cert).value());
  }

  nlohmann::json vectors_;
  SharedPkey merchant_key_;
  SharedPkey merchant_cert_;
};

TEST_F(SignerTest, ReproducesEveryRequestSigningVector) {
  const std::string mchid = vectors_["mchid"];
  const std::string serial = vectors_["merchant_serial"];
  ASSERT_FALSE(vectors_["request_signing"].empty());
  for (const auto& c : vectors_["request_signing"]) {
    SCOPED_TRACE(c["method"].get<std::string>() + " " + c["uri"].get<std::string>());
    const int64_t timestamp = std::stoll(c["timestamp"].get<std::string>());
    const std::string message =
        BuildRequestMessage(c["method"].get<std::string>(), c["uri"].get<std::string>(), timestamp,
                            c["nonce"].get<std::string>(), c["body"].get<std::string>());
    EXPECT_EQ(message, c["message"].get<std::string>());

    StatusOr<std::string> signature = SignSha256WithRsa(merchant_key_.get(), message);
    ASSERT_TRUE(signature.ok()) << signature.status().message();
    EXPECT_EQ(*signature, c["signature"].get<std::string>());
    EXPECT_TRUE(VerifySha256WithRsa(merchant_cert_.get(), message, *signature));

    EXPECT_EQ(
        BuildAuthorization(mchid, serial, timestamp, c["nonce"].get<std::string>(), *signature),
        c["authorization"].get<std::string>());
  }
}

TEST_F(SignerTest, VerifyRejectsChangedMessageAndGarbage) {
  const std::string message = BuildRequestMessage("GET", "/v3/global/certificates", 1, "n", "");
  StatusOr<std::string> signature = SignSha256WithRsa(merchant_key_.get(), message);
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(VerifySha256WithRsa(merchant_cert_.get(), message, *signature));
  EXPECT_FALSE(VerifySha256WithRsa(merchant_cert_.get(), message + "x", *signature));
  EXPECT_FALSE(VerifySha256WithRsa(merchant_cert_.get(), message, "not base64!"));
  EXPECT_FALSE(VerifySha256WithRsa(merchant_cert_.get(), message, ""));
  EXPECT_FALSE(VerifySha256WithRsa(merchant_cert_.get(), message, "AAAA"));
  EXPECT_FALSE(VerifySha256WithRsa(nullptr, message, *signature));
}

TEST_F(SignerTest, SignWithoutKeyIsAnError) {
  StatusOr<std::string> signature = SignSha256WithRsa(nullptr, "m");
  ASSERT_FALSE(signature.ok());
  EXPECT_EQ(signature.status().code(), StatusCode::kInvalidInput);
}

TEST(NonceTest, Is32AlphanumericCharactersAndFresh) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string nonce = NewNonce();
    ASSERT_EQ(nonce.size(), 32u);
    for (char c : nonce) {
      EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
          << "char " << static_cast<int>(c);
    }
    seen.insert(nonce);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST_F(SignerTest, RequestSignerHeaderVerifiesWithMerchantCertificate) {
  FakeClock clock(FromUnixMillis(1700000123'456));
  RequestSigner signer(vectors_["mchid"], vectors_["merchant_serial"], merchant_key_, clock);
  EXPECT_EQ(signer.mchid(), "1230000109");
  const std::string path = "/v3/global/customs/orders";
  const std::string body = R"({"appid":"wx1"})";

  StatusOr<std::string> header = signer.Authorization("POST", path, body);
  ASSERT_TRUE(header.ok()) << header.status().message();
  StatusOr<ParsedAuthorization> parsed = ParseAuthorization(*header);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->mchid, "1230000109");
  EXPECT_EQ(parsed->serial_no, vectors_["merchant_serial"].get<std::string>());
  EXPECT_EQ(parsed->timestamp, "1700000123");  // whole seconds, rounded down
  EXPECT_EQ(parsed->nonce_str.size(), 32u);
  const std::string message =
      BuildRequestMessage("POST", path, 1700000123, parsed->nonce_str, body);
  EXPECT_TRUE(VerifySha256WithRsa(merchant_cert_.get(), message, parsed->signature));
  // The signature covers the body and the path: any change breaks it.
  EXPECT_FALSE(VerifySha256WithRsa(
      merchant_cert_.get(), BuildRequestMessage("POST", path, 1700000123, parsed->nonce_str, "{}"),
      parsed->signature));

  clock.Advance(Millis(60'000));
  StatusOr<std::string> later = signer.Authorization("GET", path, "");
  ASSERT_TRUE(later.ok());
  StatusOr<ParsedAuthorization> parsed_later = ParseAuthorization(*later);
  ASSERT_TRUE(parsed_later.ok());
  EXPECT_EQ(parsed_later->timestamp, "1700000183");
  EXPECT_NE(parsed_later->nonce_str, parsed->nonce_str);
  EXPECT_TRUE(
      VerifySha256WithRsa(merchant_cert_.get(),
                          BuildRequestMessage("GET", path, 1700000183, parsed_later->nonce_str, ""),
                          parsed_later->signature));
}

}  // namespace
}  // namespace customsd
