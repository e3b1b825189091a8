#include "wechatpay/sensitive_field.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/test_config.h"
#include "wechatpay/base64.h"

namespace customsd {
namespace {

class SensitiveFieldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<EvpPkeyPtr> cert = ParsePublicKeyPem(testing::ReadVector("platform_cert.pem"), "cert");
    StatusOr<EvpPkeyPtr> key = ParsePrivateKeyPem(testing::ReadVector("platform_key.pem"), "key");
    StatusOr<EvpPkeyPtr> other = ParsePrivateKeyPem(testing::ReadVector("merchant_key.pem"), "key");
    ASSERT_TRUE(cert.ok() && key.ok() && other.ok());
    platform_cert_ = std::move(cert).value();
    platform_key_ = std::move(key).value();
    merchant_key_ = std::move(other).value();
  }

  EvpPkeyPtr platform_cert_;
  EvpPkeyPtr platform_key_;
  EvpPkeyPtr merchant_key_;
};

TEST_F(SensitiveFieldTest, EncryptWithCertificateDecryptWithPlatformKey) {
  for (const std::string& plain : {std::string("110101199003077777"), std::string("张三"),
                                   std::string("x"), std::string(245, 'a')}) {
    StatusOr<std::string> ciphertext = EncryptSensitiveField(platform_cert_.get(), plain);
    ASSERT_TRUE(ciphertext.ok()) << ciphertext.status().message();
    EXPECT_EQ(Base64Decode(*ciphertext)->size(), 256u);  // one RSA-2048 block
    if (plain.size() >= 8) {
      EXPECT_EQ(ciphertext->find(plain), std::string::npos);
    }
    StatusOr<std::string> back = DecryptSensitiveField(platform_key_.get(), *ciphertext);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(*back, plain);
  }
}

TEST_F(SensitiveFieldTest, EncryptionIsRandomized) {
  StatusOr<std::string> a = EncryptSensitiveField(platform_cert_.get(), "张三");
  StatusOr<std::string> b = EncryptSensitiveField(platform_cert_.get(), "张三");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST_F(SensitiveFieldTest, TooLongForOneBlockIsRefused) {
  // PKCS#1 v1.5 leaves 256 - 11 bytes for a 2048-bit key.
  StatusOr<std::string> c = EncryptSensitiveField(platform_cert_.get(), std::string(246, 'a'));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidInput);
}

TEST_F(SensitiveFieldTest, WrongKeyOrGarbageNeverYieldsThePlaintext) {
  StatusOr<std::string> ciphertext = EncryptSensitiveField(platform_cert_.get(), "张三");
  ASSERT_TRUE(ciphertext.ok());
  // OpenSSL 3.2+ answers a bad PKCS#1 v1.5 padding with random bytes (implicit rejection)
  // instead of an error; either way the plaintext must not come out.
  StatusOr<std::string> wrong = DecryptSensitiveField(merchant_key_.get(), *ciphertext);
  EXPECT_TRUE(!wrong.ok() || *wrong != "张三");
  EXPECT_FALSE(DecryptSensitiveField(platform_key_.get(), "not base64!").ok());
  EXPECT_FALSE(DecryptSensitiveField(platform_key_.get(), "").ok());
  EXPECT_FALSE(DecryptSensitiveField(platform_key_.get(), Base64Encode("short")).ok());
}

TEST_F(SensitiveFieldTest, MissingKeyIsAnError) {
  EXPECT_FALSE(EncryptSensitiveField(nullptr, "x").ok());
  EXPECT_FALSE(DecryptSensitiveField(nullptr, "AAAA").ok());
}

}  // namespace
}  // namespace customsd
