// A CustomsClient wired to a FakeTransport, with the test vector keys and a fake clock.
#pragma once

#include <gtest/gtest.h>

#include "tests/support/fake_transport.h"
#include "tests/support/test_config.h"
#include "wechatpay/certificate_manager.h"
#include "wechatpay/customs_client.h"

namespace customsd::testing {

// The client side as the daemon wires it (signer with the test merchant key, the test platform
// key trusted for a year, a certificate manager, the caller and the customs client), on a
// given transport and clock.
struct ClientStack {
  ClientStack(HttpTransport& transport, const Clock& clock, const PlatformSigner& platform,
              std::string base_url = "https://api.test")
      : manager(keys, clock) {
    auto key = ParsePrivateKeyPem(ReadVector("merchant_key.pem"), "test");
    signer = std::make_unique<RequestSigner>(kTestMchid, kMerchantSerial,
                                             Share(std::move(key).value()), clock);
    keys.Put({platform.serial, platform.public_key, std::nullopt,
              UnixMillis(clock.Now()) + 86'400'000LL * 365, platform.certificate_pem});
    ApiEndpoint endpoint;
    endpoint.base_url = std::move(base_url);
    caller = std::make_unique<ApiCaller>(endpoint, transport, *signer, manager, clock);
    client = std::make_unique<CustomsClient>(*caller);
  }

  PlatformKeyStore keys;
  CertificateManager manager;
  std::unique_ptr<RequestSigner> signer;
  std::unique_ptr<ApiCaller> caller;
  std::unique_ptr<CustomsClient> client;
};

class ClientTest : public ::testing::Test {
 protected:
  int64_t NowSeconds() const { return UnixMillis(clock_.Now()) / 1000; }

  // Every request answered with `status` and `body`, signed by the platform key.
  void AnswerAll(int status, const std::string& body) {
    transport_.SetHandler([this, status, body](const HttpRequest&) {
      return Answer(platform_.Signed(status, body, NowSeconds()));
    });
  }

  FakeClock clock_{FromUnixMillis(1700000600000)};
  PlatformSigner platform_;
  FakeTransport transport_;
  ClientStack stack_{transport_, clock_, platform_};
  PlatformKeyStore& keys_ = stack_.keys;
  CertificateManager& manager_ = stack_.manager;
  std::unique_ptr<ApiCaller>& caller_ = stack_.caller;
  std::unique_ptr<CustomsClient>& client_ = stack_.client;
};

}  // namespace customsd::testing
