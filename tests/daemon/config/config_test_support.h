// What the config tests share: a valid [merchant] table and parsing with a fixed context.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "daemon/config/config.h"

namespace customsd::config_testing {

// Six lines, so anything appended starts on line 7.
inline constexpr char kMerchant[] = R"([merchant]
mchid = "1230000109"
appid = "wxd678efh567hg6787"
serial_no = "MERCHANT_CERT_SERIAL"
private_key_file = "apiclient_key.pem"
apiv3_key_file = "apiv3.key"
)";

inline ConfigContext TestContext() {
  ConfigContext ctx;
  ctx.source_name = "customsd.toml";
  ctx.config_dir = "/etc/customsd";
  return ctx;
}

inline StatusOr<Config> Parse(const std::string& text) { return ParseConfig(text, TestContext()); }

inline std::string WithMerchant(const std::string& rest) { return std::string(kMerchant) + rest; }

// kMerchant with the line `from` replaced by `to`.
inline std::string MerchantWithLine(const std::string& from, const std::string& to) {
  std::string text = kMerchant;
  const size_t at = text.find(from + "\n");
  if (at == std::string::npos) {
    ADD_FAILURE() << "no line " << from;
  }
  return text.replace(at, from.size(), to);
}

}  // namespace customsd::config_testing
