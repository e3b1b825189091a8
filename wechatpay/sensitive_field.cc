#include "wechatpay/sensitive_field.h"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include <memory>

#include "wechatpay/base64.h"

namespace customsd {
namespace {

struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

}  // namespace

StatusOr<std::string> EncryptSensitiveField(EVP_PKEY* platform_public_key,
                                            std::string_view plaintext) {
  if (platform_public_key == nullptr) {
    return Status::InvalidInput("sensitive field: no platform public key");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(platform_public_key, nullptr));
  const auto* in = reinterpret_cast<const unsigned char*>(plaintext.data());
  size_t len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, in, plaintext.size()) != 1) {
    ERR_clear_error();
    return Status::Internal("sensitive field: cannot set up RSA encryption");
  }
  std::string out(len, '\0');
  // Fails when the plaintext exceeds the key size minus 11 bytes of PKCS#1 padding.
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in,
                       plaintext.size()) != 1) {
    ERR_clear_error();
    return Status::InvalidInput("sensitive field: too long to encrypt with the platform key");
  }
  out.resize(len);
  return Base64Encode(out);
}

StatusOr<std::string> DecryptSensitiveField(EVP_PKEY* platform_private_key,
                                            std::string_view ciphertext_b64) {
  if (platform_private_key == nullptr) {
    return Status::InvalidInput("sensitive field: no platform private key");
  }
  std::optional<std::string> in = Base64Decode(ciphertext_b64);
  if (!in || in->empty()) return Status::InvalidInput("sensitive field: not valid base64");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(platform_private_key, nullptr));
  const auto* data = reinterpret_cast<const unsigned char*>(in->data());
  size_t len = 0;
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_decrypt(ctx.get(), nullptr, &len, data, in->size()) != 1) {
    ERR_clear_error();
    return Status::Internal("sensitive field: cannot set up RSA decryption");
  }
  std::string out(len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, data,
                       in->size()) != 1) {
    ERR_clear_error();
    return Status::InvalidInput("sensitive field: decryption failed");
  }
  out.resize(len);
  return out;
}

}  // namespace customsd
