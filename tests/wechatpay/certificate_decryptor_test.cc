#include "wechatpay/certificate_decryptor.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/test_config.h"
#include "wechatpay/base64.h"
#include "wechatpay/private_key.h"

namespace customsd {
namespace {

constexpr char kKey[] = "0123456789abcdef0123456789abcdef";

class CertificateDownloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const nlohmann::json vectors = nlohmann::json::parse(testing::ReadVector("apiv3-vectors.json"));
    const nlohmann::json& download = vectors["certificate_download"];
    apiv3_key_ = download["apiv3_key"];
    expected_pem_ = download["expected_certificate_pem"];
    const nlohmann::json& data = download["response"]["data"];
    ASSERT_EQ(data.size(), 1u);
    serial_ = data[0]["serial_no"];
    const nlohmann::json& enc = data[0]["encrypt_certificate"];
    ASSERT_EQ(enc["algorithm"], "AEAD_AES_256_GCM");
    nonce_ = enc["nonce"];
    aad_ = enc["associated_data"];
    ciphertext_ = enc["ciphertext"];
    platform_serial_ = vectors["platform_serial"];
  }

  std::string apiv3_key_, expected_pem_, serial_, nonce_, aad_, ciphertext_, platform_serial_;
};

TEST_F(CertificateDownloadTest, DecryptsTheVectorCertificateExactly) {
  EXPECT_EQ(apiv3_key_, testing::ReadVector("apiv3.key"));
  StatusOr<std::string> pem = DecryptAes256Gcm(apiv3_key_, nonce_, aad_, ciphertext_);
  ASSERT_TRUE(pem.ok()) << pem.status().message();
  EXPECT_EQ(*pem, expected_pem_);
  EXPECT_EQ(serial_, platform_serial_);
  EXPECT_TRUE(ParsePublicKeyPem(*pem, "downloaded certificate").ok());
}

TEST_F(CertificateDownloadTest, EncryptReproducesTheVectorCiphertext) {
  // GCM is deterministic for a given key and nonce, so the inverse must match byte for byte.
  StatusOr<std::string> ciphertext = EncryptAes256Gcm(apiv3_key_, nonce_, aad_, expected_pem_);
  ASSERT_TRUE(ciphertext.ok());
  EXPECT_EQ(*ciphertext, ciphertext_);
}

void ExpectInvalid(const StatusOr<std::string>& result, const std::string& key) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(result.status().message().find(key), std::string::npos);
}

TEST_F(CertificateDownloadTest, WrongKeyFails) {
  std::string wrong = apiv3_key_;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  ExpectInvalid(DecryptAes256Gcm(wrong, nonce_, aad_, ciphertext_), wrong);
  ExpectInvalid(DecryptAes256Gcm(kKey, nonce_, aad_, ciphertext_), kKey);
}

TEST_F(CertificateDownloadTest, TamperedCiphertextOrTagFails) {
  std::string raw = *Base64Decode(ciphertext_);
  for (size_t pos : {size_t{0}, raw.size() / 2, raw.size() - 17, raw.size() - 1}) {
    std::string tampered = raw;
    tampered[pos] ^= 0x01;
    ExpectInvalid(DecryptAes256Gcm(apiv3_key_, nonce_, aad_, Base64Encode(tampered)), apiv3_key_);
  }
  ExpectInvalid(DecryptAes256Gcm(apiv3_key_, nonce_, aad_, Base64Encode(raw.substr(1))),
                apiv3_key_);
}

TEST_F(CertificateDownloadTest, TamperedAadOrNonceFails) {
  ExpectInvalid(DecryptAes256Gcm(apiv3_key_, nonce_, "certificatf", ciphertext_), apiv3_key_);
  ExpectInvalid(DecryptAes256Gcm(apiv3_key_, nonce_, "", ciphertext_), apiv3_key_);
  ExpectInvalid(DecryptAes256Gcm(apiv3_key_, "Ao9gpxCJrlVi", aad_, ciphertext_), apiv3_key_);
}

TEST(AesGcmTest, ShortOrMalformedInputIsAnErrorNotACrash) {
  ExpectInvalid(DecryptAes256Gcm(kKey, "123456789012", "a", ""), kKey);
  ExpectInvalid(DecryptAes256Gcm(kKey, "123456789012", "a", Base64Encode("short")), kKey);
  ExpectInvalid(DecryptAes256Gcm(kKey, "123456789012", "a", Base64Encode(std::string(15, 'x'))),
                kKey);
  // Exactly a tag and nothing else: the size is fine, the tag is not.
  ExpectInvalid(DecryptAes256Gcm(kKey, "123456789012", "a", Base64Encode(std::string(16, 'x'))),
                kKey);
  ExpectInvalid(DecryptAes256Gcm(kKey, "123456789012", "a", "not base64!"), kKey);
  ExpectInvalid(DecryptAes256Gcm(kKey, "", "a", Base64Encode(std::string(32, 'x'))), kKey);
}

TEST(AesGcmTest, KeyMustBe32Bytes) {
  ExpectInvalid(
      DecryptAes256Gcm("short-key", "123456789012", "", Base64Encode(std::string(32, 'x'))),
      "short-key");
  ExpectInvalid(EncryptAes256Gcm(std::string(kKey) + "x", "123456789012", "", "hi"), kKey);
  ExpectInvalid(EncryptAes256Gcm("", "123456789012", "", "hi"), kKey);
}

TEST(AesGcmTest, EncryptDecryptRoundTrip) {
  for (const std::string& plain : {std::string(), std::string("x"), std::string(1000, '\0'),
                                   std::string("-----BEGIN CERTIFICATE-----\n...\n")}) {
    StatusOr<std::string> ciphertext = EncryptAes256Gcm(kKey, "nonce-123456", "certificate", plain);
    ASSERT_TRUE(ciphertext.ok()) << ciphertext.status().message();
    EXPECT_EQ(Base64Decode(*ciphertext)->size(), plain.size() + 16);
    StatusOr<std::string> back = DecryptAes256Gcm(kKey, "nonce-123456", "certificate", *ciphertext);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(*back, plain);
  }
}

}  // namespace
}  // namespace customsd
