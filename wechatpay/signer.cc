#include "wechatpay/signer.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <memory>

#include "wechatpay/base64.h"

namespace customsd {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

constexpr std::string_view kNonceAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr size_t kNonceLength = 32;

}  // namespace

std::string BuildRequestMessage(std::string_view method, std::string_view path_with_query,
                                int64_t timestamp, std::string_view nonce, std::string_view body) {
  std::string m;
  m.reserve(method.size() + path_with_query.size() + nonce.size() + body.size() + 32);
  m.append(method).append("\n");
  m.append(path_with_query).append("\n");
  m.append(std::to_string(timestamp)).append("\n");
  m.append(nonce).append("\n");
  m.append(body).append("\n");
  return m;
}

StatusOr<std::string> SignSha256WithRsa(EVP_PKEY* key, std::string_view message) {
  if (key == nullptr) return Status::InvalidInput("signing: no merchant private key");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  // RSA keys default to PKCS#1 v1.5 padding, which APIv3 requires (and makes the signature
  // deterministic, so the test vectors can be matched byte for byte).
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    ERR_clear_error();
    return Status::Internal("signing: cannot sign with the merchant private key");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    ERR_clear_error();
    return Status::Internal("signing: cannot sign with the merchant private key");
  }
  sig.resize(len);
  return Base64Encode(sig);
}

bool VerifySha256WithRsa(EVP_PKEY* key, std::string_view message, std::string_view signature_b64) {
  if (key == nullptr) return false;
  std::optional<std::string> sig = Base64Decode(signature_b64);
  if (!sig || sig->empty()) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  // A failed verification leaves entries on this thread's error queue; later OpenSSL calls
  // (TLS in the transport) must not see them.
  ERR_clear_error();
  return ok;
}

std::string BuildAuthorization(std::string_view mchid, std::string_view serial_no,
                               int64_t timestamp, std::string_view nonce,
                               std::string_view signature) {
  std::string h = "WECHATPAY2-SHA256-RSA2048 ";
  h.append("mchid=\"").append(mchid).append("\",");
  h.append("serial_no=\"").append(serial_no).append("\",");
  h.append("timestamp=\"").append(std::to_string(timestamp)).append("\",");
  h.append("nonce_str=\"").append(nonce).append("\",");
  h.append("signature=\"").append(signature).append("\"");
  return h;
}

std::string NewNonce() {
  std::string nonce;
  nonce.reserve(kNonceLength);
  unsigned char buf[64];
  while (nonce.size() < kNonceLength) {
    // Without randomness there is no safe nonce: "" lets RequestSigner report an error rather
    // than send a guessable one.
    if (RAND_bytes(buf, sizeof(buf)) != 1) {
      ERR_clear_error();
      return "";
    }
    for (unsigned char b : buf) {
      // 248 = 4 * 62: rejecting bytes above it keeps every character equally likely.
      if (b >= 248) continue;
      nonce.push_back(kNonceAlphabet[b % kNonceAlphabet.size()]);
      if (nonce.size() == kNonceLength) break;
    }
  }
  return nonce;
}

StatusOr<std::string> RequestSigner::Authorization(std::string_view method,
                                                   std::string_view path_with_query,
                                                   std::string_view body) const {
  const int64_t timestamp =
      std::chrono::floor<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  const std::string nonce = NewNonce();
  if (nonce.size() != kNonceLength) {
    return Status::Internal("signing: the random number generator failed");
  }
  StatusOr<std::string> signature = SignSha256WithRsa(
      key_.get(), BuildRequestMessage(method, path_with_query, timestamp, nonce, body));
  if (!signature.ok()) return signature.status();
  return BuildAuthorization(mchid_, serial_no_, timestamp, nonce, *signature);
}

}  // namespace customsd
