#include "daemon/api/api_tokens.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace customsd {
namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

TEST(ApiTokensTest, AcceptsEveryListedTokenAndNothingElse) {
  testing::TempDir dir;
  const std::string path = dir.File("tokens");
  testing::WriteFile(path,
                     std::string("# order system\n") + kToken + "\r\n\n  second-token-0000000 \n");
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  ApiTokens tokens(path);
  ASSERT_TRUE(tokens.Reload().ok());
  EXPECT_TRUE(tokens.Accepts(std::string("Bearer ") + kToken));
  EXPECT_TRUE(tokens.Accepts("Bearer second-token-0000000"));
  EXPECT_FALSE(tokens.Accepts(kToken)) << "no scheme";
  EXPECT_FALSE(tokens.Accepts(std::string("Basic ") + kToken));
  EXPECT_FALSE(tokens.Accepts(std::string("Bearer ") + kToken + "x"));
  EXPECT_FALSE(tokens.Accepts("Bearer "));
  EXPECT_FALSE(tokens.Accepts(""));
}

TEST(ApiTokensTest, ARotationTakesEffectOnReloadAndABadFileKeepsTheOldTokens) {
  testing::TempDir dir;
  const std::string path = dir.File("tokens");
  testing::WriteFile(path, std::string(kToken) + "\n");
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  ApiTokens tokens(path);
  ASSERT_TRUE(tokens.Reload().ok());
  testing::WriteFile(path, "new-token-000000000000\n", 0600);
  ASSERT_TRUE(tokens.Reload().ok());
  EXPECT_FALSE(tokens.Accepts(std::string("Bearer ") + kToken));
  EXPECT_TRUE(tokens.Accepts("Bearer new-token-000000000000"));
  testing::WriteFile(path, "short\n", 0600);
  Status s = tokens.Reload();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("short"), std::string::npos) << "never the token: " << s.message();
  EXPECT_TRUE(tokens.Accepts("Bearer new-token-000000000000"));
}

TEST(ApiTokensTest, AFileOthersCanReadIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.File("tokens");
  testing::WriteFile(path, std::string(kToken) + "\n");
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  ApiTokens tokens(path);
  EXPECT_FALSE(tokens.Reload().ok());
  EXPECT_FALSE(tokens.Accepts(std::string("Bearer ") + kToken));
}

TEST(ApiTokensTest, AFileWithoutATokenIsAnError) {
  EXPECT_FALSE(ApiTokens::Parse("# nothing\n\n").ok());
}

}  // namespace
}  // namespace customsd
