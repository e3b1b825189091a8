// The settings list (config_settings.h) is what a reload compares: a key missing from it would
// change on SIGHUP without a word. The shipped example config names every key an operator can
// write, so the list is held against that document rather than against itself.
#include "daemon/config/config_settings.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "tests/support/test_config.h"

namespace customsd {
namespace {

void LeafKeys(const toml::table& table, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [key, node] : table) {
    const std::string name = prefix + std::string(key.str());
    if (const toml::table* inner = node.as_table()) {
      LeafKeys(*inner, name + ".", out);
    } else {
      out.push_back(name);
    }
  }
}

TEST(ConfigSettingsTest, EveryKeyOfTheExampleConfigIsASetting) {
  const std::string path = testing::TestInstall::SourceFile("systemd/customsd.toml.example");
  auto example = LoadConfig(path);
  ASSERT_TRUE(example.ok()) << example.status().message();
  const ConfigSettings settings = SettingsOf(*example);
  std::vector<std::string> keys;
  LeafKeys(toml::parse_file(path), "", keys);
  ASSERT_GT(keys.size(), 30u);
  for (const std::string& key : keys) {
    std::string name = key;
    if (name.rfind("merchant.", 0) == 0) {
      name = "merchants[" + example->merchants.front().mchid + "]." + name.substr(9);
    }
    EXPECT_EQ(settings.count(name), 1u) << key << " is not in SettingsOf";
  }
}

TEST(ConfigSettingsTest, OnlyTheLogLevelMerchantsAndDeclareAreAppliedOnReload) {
  EXPECT_TRUE(AppliedOnReload("log.level"));
  EXPECT_TRUE(AppliedOnReload("merchants[1230000109].serial_no"));
  EXPECT_TRUE(AppliedOnReload("declare.max_file_mb"));
  EXPECT_FALSE(AppliedOnReload("alerts.flood_limit"));
  EXPECT_FALSE(AppliedOnReload("metrics.listen"));
  EXPECT_FALSE(AppliedOnReload("retry.multiplier"));
}

}  // namespace
}  // namespace customsd
