// MockOptions for in-process tests of the real client: the test vectors' merchant certificate,
// platform key pair and APIv3 key, certificates never faulted, short keep-alive so Stop() is
// quick.
#pragma once

#include "tests/mock/mock_options.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_config.h"

namespace customsd::mock {

inline MockOptions VectorOptions() {
  using testing::ReadFile;
  using testing::TestInstall;
  MockOptions o;
  o.merchant_certs.push_back({ReadFile(TestInstall::VectorFile("merchant_cert.pem")), ""});
  o.platforms.push_back({ReadFile(TestInstall::VectorFile("platform_key.pem")),
                         ReadFile(TestInstall::VectorFile("platform_cert.pem"))});
  o.apiv3_key = ReadFile(TestInstall::VectorFile("apiv3.key"));
  o.faults_on_certificates = false;
  o.keep_alive_seconds = 1;
  return o;
}

}  // namespace customsd::mock
