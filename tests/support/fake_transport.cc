#include "tests/support/fake_transport.h"

#include <stdexcept>

#include "tests/support/temp_dir.h"
#include "tests/support/test_config.h"
#include "wechatpay/response_verifier.h"
#include "wechatpay/signer.h"

namespace customsd::testing {

PlatformSigner::PlatformSigner() {
  auto priv = ParsePrivateKeyPem(ReadFile(TestInstall::VectorFile("platform_key.pem")), "test");
  certificate_pem = ReadFile(TestInstall::VectorFile("platform_cert.pem"));
  auto pub = ParsePublicKeyPem(certificate_pem, "test");
  if (!priv.ok() || !pub.ok()) throw std::runtime_error("cannot load the platform test keys");
  private_key = Share(std::move(priv).value());
  public_key = Share(std::move(pub).value());
  serial = "13B6AA28E8A1105EE572DE656B7DB4758013A0F6";
}

HttpResponse PlatformSigner::Signed(int status, const std::string& body,
                                    int64_t timestamp_s) const {
  const std::string ts = std::to_string(timestamp_s);
  const std::string nonce = NewNonce();
  auto signature = SignSha256WithRsa(private_key.get(), BuildResponseMessage(ts, nonce, body));
  HttpResponse r;
  r.status = status;
  r.body = body;
  r.headers = {{"Request-ID", "fake-" + nonce.substr(0, 8)},
               {"Wechatpay-Timestamp", ts},
               {"Wechatpay-Nonce", nonce},
               {"Wechatpay-Signature", signature.ok() ? *signature : ""},
               {"Wechatpay-Serial", serial}};
  return r;
}

TransportResult Answer(HttpResponse response) { return {std::move(response), std::nullopt}; }

TransportResult NetworkError(TransportErrorKind kind, const std::string& message) {
  return {std::nullopt, TransportError{kind, message}};
}

}  // namespace customsd::testing
