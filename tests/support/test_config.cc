#include "tests/support/test_config.h"

namespace customsd::testing {

std::string TestInstall::SourceFile(const std::string& relative) {
  return std::string(CUSTOMSD_SOURCE_DIR) + "/" + relative;
}

std::string TestInstall::VectorFile(const std::string& name) {
  return std::string(CUSTOMSD_VECTORS_DIR) + "/" + name;
}

TestInstall::TestInstall(const std::string& extra_toml) {
  WriteFile(dir_.File("apiclient_key.pem"), ReadFile(VectorFile("merchant_key.pem")), 0600);
  WriteFile(dir_.File("apiv3.key"), ReadFile(VectorFile("apiv3.key")), 0600);
  db_path_ = dir_.File("customsd.db");
  config_path_ = dir_.File("customsd.toml");
  WriteFile(config_path_,
            std::string("[merchant]\n") + "mchid = \"" + kTestMchid + "\"\n" + "appid = \"" +
                kTestAppid + "\"\n" + "serial_no = \"" + kMerchantSerial + "\"\n" +
                "private_key_file = \"apiclient_key.pem\"\n" + "apiv3_key_file = \"apiv3.key\"\n" +
                "\n[database]\npath = \"customsd.db\"\n\n" + extra_toml);
}

}  // namespace customsd::testing
