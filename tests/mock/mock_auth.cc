#include "tests/mock/mock_auth.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>

#include "wechatpay/response_verifier.h"
#include "wechatpay/signer.h"

namespace customsd::mock {
namespace {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

StatusOr<TimePoint> AsnTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return Status::InvalidInput("certificate: unreadable validity time");
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

StatusOr<CertificateInfo> ReadCertificate(std::string_view pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<X509, X509Deleter> x509(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!x509) {
    ERR_clear_error();
    return Status::InvalidInput("certificate: not a PEM X.509 certificate");
  }
  std::unique_ptr<BIGNUM, BnDeleter> bn(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509.get()), nullptr));
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  if (hex == nullptr) return Status::InvalidInput("certificate: unreadable serial number");
  CertificateInfo info;
  info.pem = std::string(pem);
  info.serial = hex;  // BN_bn2hex writes upper case
  OPENSSL_free(hex);
  StatusOr<TimePoint> from = AsnTime(X509_get0_notBefore(x509.get()));
  StatusOr<TimePoint> to = AsnTime(X509_get0_notAfter(x509.get()));
  if (!from.ok()) return from.status();
  if (!to.ok()) return to.status();
  info.not_before = *from;
  info.not_after = *to;
  StatusOr<EvpPkeyPtr> key = ParsePublicKeyPem(pem, "certificate");
  if (!key.ok()) return key.status();
  info.public_key = Share(std::move(key).value());
  return info;
}

StatusOr<RequestAuthenticator> RequestAuthenticator::Create(
    const std::vector<MerchantCert>& certs) {
  RequestAuthenticator auth;
  for (const MerchantCert& c : certs) {
    StatusOr<CertificateInfo> info = ReadCertificate(c.cert_pem);
    if (!info.ok()) return Status::InvalidInput("merchant " + info.status().message());
    auth.by_serial_[info->serial] = Merchant{info->public_key, c.mchid};
  }
  if (auth.by_serial_.empty()) return Status::InvalidInput("no merchant certificate configured");
  return auth;
}

ApiResult<std::string> RequestAuthenticator::Check(std::string_view method, std::string_view target,
                                                   std::string_view body,
                                                   const std::string* authorization, TimePoint now,
                                                   std::chrono::seconds max_skew) const {
  if (authorization == nullptr) return SignError("The Authorization header is missing");
  StatusOr<ParsedAuthorization> parsed = ParseAuthorization(*authorization);
  if (!parsed.ok()) return SignError(parsed.status().message());
  auto it = by_serial_.find(parsed->serial_no);
  if (it == by_serial_.end()) {
    return SignError("Authorization serial_no " + parsed->serial_no +
                     " is not a merchant certificate of this merchant");
  }
  if (!it->second.mchid.empty() && it->second.mchid != parsed->mchid) {
    return SignError("Authorization mchid " + parsed->mchid + " does not own the certificate " +
                     parsed->serial_no);
  }
  const std::string& ts = parsed->timestamp;
  if (ts.empty() || ts.size() > 12 || ts.find_first_not_of("0123456789") != std::string::npos) {
    return SignError("Authorization timestamp is not Unix seconds");
  }
  const int64_t timestamp = std::stoll(ts);
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (timestamp > now_s + max_skew.count() || timestamp < now_s - max_skew.count()) {
    return SignError("Authorization timestamp " + ts + " is more than " +
                     std::to_string(max_skew.count()) + " s away from the server time " +
                     std::to_string(now_s));
  }
  const std::string message =
      BuildRequestMessage(method, target, timestamp, parsed->nonce_str, body);
  if (!VerifySha256WithRsa(it->second.key.get(), message, parsed->signature)) {
    return SignError(
        "Signature verification failed (check the signed method, path with query, "
        "timestamp, nonce and body)");
  }
  return parsed->mchid;
}

StatusOr<ResponseSigner> ResponseSigner::Create(const std::vector<PlatformIdentity>& platforms) {
  std::vector<Platform> out;
  for (const PlatformIdentity& p : platforms) {
    StatusOr<CertificateInfo> cert = ReadCertificate(p.cert_pem);
    if (!cert.ok()) return Status::InvalidInput("platform " + cert.status().message());
    StatusOr<EvpPkeyPtr> key = ParsePrivateKeyPem(p.key_pem, "platform private key");
    if (!key.ok()) return key.status();
    out.push_back(Platform{std::move(cert).value(), Share(std::move(key).value())});
  }
  if (out.empty()) return Status::InvalidInput("no platform key configured");
  return ResponseSigner(std::move(out));
}

std::vector<std::pair<std::string, std::string>> ResponseSigner::Sign(std::string_view body,
                                                                      int64_t unix_seconds,
                                                                      FaultKind spoil) const {
  const Platform& p = current();
  const std::string ts = std::to_string(unix_seconds);
  const std::string nonce = NewNonce();
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Wechatpay-Timestamp", ts},
      {"Wechatpay-Nonce", nonce},
      {"Wechatpay-Serial", p.cert.serial},
  };
  if (spoil == FaultKind::kNoSignature) return headers;
  // A signature that is well-formed and made with the right key, just not over this body: the
  // client must really verify, not merely check the header is there.
  const std::string signed_body =
      spoil == FaultKind::kBadSignature ? std::string(body) + " " : std::string(body);
  StatusOr<std::string> sig =
      SignSha256WithRsa(p.private_key.get(), BuildResponseMessage(ts, nonce, signed_body));
  if (!sig.ok()) return headers;
  std::string value = *sig;
  if (spoil == FaultKind::kSignTest) value = "WECHATPAY/SIGNTEST/" + value.substr(19);
  headers.emplace_back("Wechatpay-Signature", std::move(value));
  return headers;
}

void ResponseSigner::Use(size_t index) {
  if (index < platforms_.size()) current_.store(index);
}

const ResponseSigner::Platform* ResponseSigner::Find(std::string_view serial) const {
  for (const Platform& p : platforms_) {
    if (p.cert.serial == serial) return &p;
  }
  return nullptr;
}

}  // namespace customsd::mock
