#include "wechatpay/certificate_manager.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "tests/wechatpay/client_fixture.h"
#include "wechatpay/certificate_decryptor.h"

namespace customsd {
namespace {

using testing::Answer;

nlohmann::json Vectors() {
  return nlohmann::json::parse(
      testing::ReadFile(testing::TestInstall::VectorFile("apiv3-vectors.json")));
}

TEST(CertificateParsingTest, TheVectorsCertificateListDecryptsToTheExpectedPem) {
  const nlohmann::json v = Vectors()["certificate_download"];
  auto certs = CertificateDownloader::ParseCertificates(v["response"].dump(),
                                                        v["apiv3_key"].get<std::string>());
  ASSERT_TRUE(certs.ok()) << certs.status().message();
  ASSERT_EQ(certs->size(), 1u);
  EXPECT_EQ((*certs)[0].certificate_pem, v["expected_certificate_pem"].get<std::string>());
  EXPECT_EQ((*certs)[0].serial, v["response"]["data"][0]["serial_no"].get<std::string>());
  EXPECT_EQ((*certs)[0].expire_at, ParseRfc3339("2034-01-01T00:00:00+08:00"));
}

TEST(CertificateParsingTest, AWrongApiV3KeyIsAnErrorWithoutTheKey) {
  const nlohmann::json v = Vectors()["certificate_download"];
  const std::string wrong(32, 'k');
  auto certs = CertificateDownloader::ParseCertificates(v["response"].dump(), wrong);
  ASSERT_FALSE(certs.ok());
  EXPECT_EQ(certs.status().message().find(wrong), std::string::npos);
}

class CertificateManagerTest : public testing::ClientTest {
 protected:
  CertificateManagerTest() {
    keys_.ReplaceCertificates({});  // start knowing nothing, as a fresh install does
    manager_.SetDownloader(&downloader_);
    manager_.SetPersist([this](const std::vector<PlatformKeyInfo>& keys) {
      persisted_ = keys;
      return Status::Ok();
    });
  }

  // A /certificates answer listing the platform cert, encrypted with the test APIv3 key.
  std::string CertificatesBody(const std::string& expire_time) {
    const std::string nonce = "Ao9gpxCJrlVh";
    auto ciphertext = EncryptAes256Gcm(apiv3_key_, nonce, "certificate", platform_.certificate_pem);
    nlohmann::json item = {
        {"serial_no", platform_.serial},
        {"effective_time", "2023-01-01T00:00:00+08:00"},
        {"expire_time", expire_time},
        {"encrypt_certificate",
         {{"algorithm", "AEAD_AES_256_GCM"},
          {"nonce", nonce},
          {"associated_data", "certificate"},
          {"ciphertext", ciphertext.ok() ? *ciphertext : ""}}}};
    return nlohmann::json{{"data", nlohmann::json::array({item})}}.dump();
  }

  void ServeCertificates(const std::string& expire_time = "2034-01-01T00:00:00+08:00") {
    std::string body = CertificatesBody(expire_time);
    transport_.SetHandler([this, body](const HttpRequest&) {
      return Answer(platform_.Signed(200, body, NowSeconds()));
    });
  }

  std::string apiv3_key_ = testing::ReadFile(testing::TestInstall::VectorFile("apiv3.key"));
  CertificateDownloader downloader_{*caller_, apiv3_key_};
  std::vector<PlatformKeyInfo> persisted_;
};

TEST_F(CertificateManagerTest, RefreshLoadsVerifiesAndPersistsTheCertificates) {
  ServeCertificates();
  ASSERT_EQ(keys_.Find(platform_.serial), nullptr);
  ApiOutcome o = manager_.Refresh();
  ASSERT_TRUE(o.ok()) << o.ToString();
  EXPECT_NE(keys_.Find(platform_.serial), nullptr);
  ASSERT_EQ(persisted_.size(), 1u);
  EXPECT_EQ(persisted_[0].certificate_pem, platform_.certificate_pem);
  EXPECT_EQ(manager_.TrustedSerial(), platform_.serial);
  ASSERT_EQ(transport_.requests().size(), 1u);
  EXPECT_EQ(transport_.requests()[0].url, "https://api.test/v3/global/certificates");
}

TEST_F(CertificateManagerTest, AListWhoseSignatureDoesNotVerifyIsNotUsed) {
  std::string body = CertificatesBody("2034-01-01T00:00:00+08:00");
  transport_.SetHandler([&](const HttpRequest&) {
    HttpResponse r = platform_.Signed(200, body, NowSeconds());
    r.body.insert(r.body.size() - 1, " ");  // no longer what was signed
    return Answer(r);
  });
  ApiOutcome o = manager_.Refresh();
  EXPECT_EQ(o.cls, OutcomeClass::kUnknown) << o.ToString();
  EXPECT_EQ(keys_.Find(platform_.serial), nullptr);
  EXPECT_TRUE(persisted_.empty());
}

TEST_F(CertificateManagerTest, RefreshesAgainOnlyAfterTwelveHours) {
  ServeCertificates();
  ASSERT_TRUE(manager_.RefreshIfDue().has_value());  // never refreshed: due
  clock_.Advance(std::chrono::hours(11));
  EXPECT_FALSE(manager_.RefreshIfDue().has_value());
  clock_.Advance(std::chrono::hours(1));
  EXPECT_TRUE(manager_.RefreshIfDue().has_value());
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(CertificateManagerTest, UnknownSerialsRefreshAtMostOnceAMinute) {
  ServeCertificates();
  manager_.RefreshAfterUnknownSerial("X");
  manager_.RefreshAfterUnknownSerial("Y");
  EXPECT_EQ(transport_.requests().size(), 1u);
  clock_.Advance(std::chrono::seconds(61));
  manager_.RefreshAfterUnknownSerial("Z");
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(CertificateManagerTest, WarnsWhenTheNewestCertificateExpiresWithin30Days) {
  // The fake clock stands at 2023-11-14T22:23:20Z.
  ServeCertificates("2023-12-10T00:00:00+08:00");
  ASSERT_TRUE(manager_.Refresh().ok());
  EXPECT_TRUE(manager_.ExpiresSoon());
  ServeCertificates("2024-06-01T00:00:00+08:00");
  ASSERT_TRUE(manager_.Refresh().ok());
  EXPECT_FALSE(manager_.ExpiresSoon());
}

TEST_F(CertificateManagerTest, AConfiguredPublicKeyIsPreferredAndNeverExpires) {
  keys_.Put({"PUB_KEY_ID_0123", platform_.public_key, std::nullopt, std::nullopt, ""});
  EXPECT_EQ(manager_.TrustedSerial(), "PUB_KEY_ID_0123");
  EXPECT_FALSE(manager_.ExpiresSoon());
}

}  // namespace
}  // namespace customsd
