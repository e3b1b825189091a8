#include "daemon/config/secret_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace customsd {
namespace {

constexpr char kKnownGoodApiV3Key[] = "/work/shared/vectors/apiv3.key";

class SecretFilesTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string templ =
        (std::filesystem::temp_directory_path() / "customsd-secrets-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    std::ifstream in(kKnownGoodApiV3Key, std::ios::binary);
    apiv3_key_ = std::string(std::istreambuf_iterator<char>(in), {});
    ASSERT_EQ(apiv3_key_.size(), 32u) << kKnownGoodApiV3Key;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }

  // A config whose one merchant's files are all present and private.
  Config GoodConfig() {
    Config config;
    MerchantConfig m;
    m.mchid = "1230000109";
    m.config_key = "merchant";
    m.private_key_file = Write("apiclient_key.pem", kPrivateKeyPem, 0600);
    m.apiv3_key_file = Write("apiv3.key", apiv3_key_, 0600);
    config.merchants.push_back(m);
    return config;
  }

  static constexpr char kPrivateKeyPem[] =
      "-----BEGIN PRIVATE KEY-----\nTOPSECRETBYTES\n-----END PRIVATE KEY-----\n";
  std::string dir_;
  std::string apiv3_key_;
};

void ExpectNoSecretIn(const Status& status) {
  EXPECT_EQ(status.message().find("TOPSECRET"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find('\n'), std::string::npos) << status.message();
}

TEST_F(SecretFilesTest, PrivateFilesPass) { EXPECT_TRUE(CheckSecretFiles(GoodConfig()).ok()); }

TEST_F(SecretFilesTest, ReadOnlyForTheOwnerPasses) {
  Config config = GoodConfig();
  ASSERT_EQ(chmod(config.merchants[0].private_key_file.c_str(), 0400), 0);
  ASSERT_EQ(chmod(config.merchants[0].apiv3_key_file.c_str(), 0400), 0);
  Status status = CheckSecretFiles(config);
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST_F(SecretFilesTest, GroupReadableKeyIsRefused) {
  Config config = GoodConfig();
  const std::string path = config.merchants[0].private_key_file;
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  Status status = CheckSecretFiles(config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "merchant.private_key_file: " + path +
                                  ": mode 0640 lets group or others access it; use chmod 600");
  ExpectNoSecretIn(status);
}

TEST_F(SecretFilesTest, OtherReadableApiV3KeyIsRefused) {
  Config config = GoodConfig();
  ASSERT_EQ(chmod(config.merchants[0].apiv3_key_file.c_str(), 0604), 0);
  Status status = CheckSecretFiles(config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("merchant.apiv3_key_file: " + config.merchants[0].apiv3_key_file),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("mode 0604"), std::string::npos) << status.message();
}

TEST_F(SecretFilesTest, MissingFileIsAnIoErrorNamingKeyAndPath) {
  Config config = GoodConfig();
  config.merchants[0].private_key_file = dir_ + "/missing.pem";
  Status status = CheckSecretFiles(config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_EQ(status.message(), "merchant.private_key_file: " + dir_ +
                                  "/missing.pem: cannot open: No such file or directory");
}

TEST_F(SecretFilesTest, ApiV3KeyOfTheWrongLengthIsRefusedWithoutShowingIt) {
  Config config = GoodConfig();
  for (const std::string& content : {std::string("TOPSECRET"), apiv3_key_.substr(0, 31),
                                     apiv3_key_ + "X", apiv3_key_ + "\n\n", std::string()}) {
    Write("apiv3.key", content, 0600);
    Status status = CheckSecretFiles(config);
    ASSERT_FALSE(status.ok()) << content.size() << " bytes accepted";
    EXPECT_EQ(status.code(), StatusCode::kInvalidInput);
    EXPECT_NE(
        status.message().find("merchant.apiv3_key_file: " + config.merchants[0].apiv3_key_file +
                              ": an APIv3 key must be exactly 32 bytes"),
        std::string::npos)
        << status.message();
    EXPECT_EQ(status.message().find(apiv3_key_.substr(0, 8)), std::string::npos);
    ExpectNoSecretIn(status);
  }
}

TEST_F(SecretFilesTest, OneTrailingNewlineOnTheApiV3KeyIsTolerated) {
  for (const std::string& ending : {std::string("\n"), std::string("\r\n")}) {
    const std::string path = Write("apiv3.key", apiv3_key_ + ending, 0600);
    StatusOr<std::string> key = ReadApiV3KeyFile(path, "merchant.apiv3_key_file");
    ASSERT_TRUE(key.ok()) << key.status().message();
    EXPECT_EQ(*key, apiv3_key_);
  }
}

TEST_F(SecretFilesTest, ADirectoryInsteadOfAFileIsRefused) {
  Config config = GoodConfig();
  const std::string path = dir_ + "/keydir";
  ASSERT_TRUE(std::filesystem::create_directory(path));
  ASSERT_EQ(chmod(path.c_str(), 0700), 0);
  config.merchants[0].apiv3_key_file = path;
  Status status = CheckSecretFiles(config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "merchant.apiv3_key_file: " + path + ": not a regular file");
}

TEST_F(SecretFilesTest, AFifoIsRefusedWithoutBlocking) {
  Config config = GoodConfig();
  const std::string path = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  config.merchants[0].private_key_file = path;
  Status status = CheckSecretFiles(config);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("not a regular file"), std::string::npos) << status.message();
}

TEST_F(SecretFilesTest, ASymlinkToAPrivateFileIsFollowed) {
  Config config = GoodConfig();
  const std::string link = dir_ + "/link.pem";
  std::filesystem::create_symlink(config.merchants[0].private_key_file, link);
  config.merchants[0].private_key_file = link;
  Status status = CheckSecretFiles(config);
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST_F(SecretFilesTest, APlatformPublicKeyMayBeWorldReadable) {
  Config config = GoodConfig();
  config.merchants[0].platform_public_key_file = Write("pub.pem", "PUBLIC", 0644);
  Status status = CheckSecretFiles(config);
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST_F(SecretFilesTest, AMissingPlatformPublicKeyIsRefused) {
  Config config = GoodConfig();
  config.merchants[0].platform_public_key_file = dir_ + "/pub.pem";
  Status status = CheckSecretFiles(config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("merchant.platform_public_key_file: " + dir_ + "/pub.pem"),
            std::string::npos)
      << status.message();
}

TEST_F(SecretFilesTest, ErrorsInTheSecondMerchantNameItsIndex) {
  Config config = GoodConfig();
  config.merchants[0].config_key = "merchants[0]";
  MerchantConfig second = config.merchants[0];
  second.mchid = "1230000110";
  second.config_key = "merchants[1]";
  second.apiv3_key_file = Write("b_apiv3.key", apiv3_key_, 0644);
  config.merchants.push_back(second);
  Status status = CheckSecretFiles(config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().rfind("merchants[1].apiv3_key_file: ", 0), 0u) << status.message();
}

TEST_F(SecretFilesTest, ReadSecretFileReturnsTheContentAfterTheChecks) {
  const std::string path = Write("key.pem", kPrivateKeyPem, 0600);
  StatusOr<std::string> content = ReadSecretFile(path, "merchant.private_key_file");
  ASSERT_TRUE(content.ok()) << content.status().message();
  EXPECT_EQ(*content, kPrivateKeyPem);

  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  StatusOr<std::string> refused = ReadSecretFile(path, "merchant.private_key_file");
  ASSERT_FALSE(refused.ok());
  ExpectNoSecretIn(refused.status());
}

TEST_F(SecretFilesTest, TheKnownGoodApiV3KeyReadsAsItsThirtyTwoBytes) {
  const std::string path = Write("apiv3.key", apiv3_key_, 0600);
  StatusOr<std::string> key = ReadApiV3KeyFile(path, "merchant.apiv3_key_file");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(*key, apiv3_key_);
}

TEST_F(SecretFilesTest, AnAlertSecretIsOneLineAndFollowsTheKeyFilesRules) {
  Config config = GoodConfig();
  config.alerts.webhook_secret_file = Write("dingtalk.secret", "SECabc123\n", 0600);
  EXPECT_TRUE(CheckSecretFiles(config).ok());
  auto secret = ReadLineSecretFile(config.alerts.webhook_secret_file, "alerts.webhook_secret_file");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(*secret, "SECabc123");

  config.alerts.email.password_file = Write("smtp.password", "hunter2-password\n", 0644);
  Status open = CheckSecretFiles(config);
  EXPECT_EQ(open.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(open.message().find("alerts.email.password_file"), std::string::npos);
  EXPECT_EQ(open.message().find("hunter2"), std::string::npos);

  Write("smtp.password", "line one\nline two\n", 0600);
  auto two = ReadLineSecretFile(config.alerts.email.password_file, "alerts.email.password_file");
  EXPECT_EQ(two.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(two.status().message().find("line one"), std::string::npos);
}

}  // namespace
}  // namespace customsd
