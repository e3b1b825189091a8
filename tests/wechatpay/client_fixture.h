// A CustomsClient wired to a FakeTransport, with the test vector keys and a fake clock.
#pragma once

#include <gtest/gtest.h>

#include "tests/support/fake_transport.h"
#include "tests/support/test_config.h"
#include "wechatpay/certificate_manager.h"
#include "wechatpay/customs_client.h"

namespace customsd::testing {

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() {
    auto key = ParsePrivateKeyPem(ReadFile(TestInstall::VectorFile("merchant_key.pem")), "test");
    signer_ = std::make_unique<RequestSigner>(kTestMchid, kMerchantSerial,
                                              Share(std::move(key).value()), clock_);
    keys_.Put({platform_.serial, platform_.public_key, std::nullopt,
               UnixMillis(clock_.Now()) + 86'400'000LL * 365, platform_.certificate_pem});
    ApiEndpoint endpoint;
    endpoint.base_url = "https://api.test";
    caller_ = std::make_unique<ApiCaller>(endpoint, transport_, *signer_, manager_, clock_);
    client_ = std::make_unique<CustomsClient>(*caller_);
  }

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
  PlatformKeyStore keys_;
  CertificateManager manager_{keys_, clock_};
  std::unique_ptr<RequestSigner> signer_;
  std::unique_ptr<ApiCaller> caller_;
  std::unique_ptr<CustomsClient> client_;
};

}  // namespace customsd::testing
