#include "wechatpay/certificate_decryptor.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <climits>
#include <memory>

#include "wechatpay/base64.h"

namespace customsd {
namespace {

constexpr size_t kKeyLength = 32;
constexpr size_t kTagLength = 16;

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Key, IV (any non-empty length: WeChat Pay sends 12 bytes, GCM takes others) and AAD.
bool Init(EVP_CIPHER_CTX* ctx, bool encrypt, std::string_view key, std::string_view nonce,
          std::string_view aad) {
  int unused = 0;
  return EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt ? 1 : 0) ==
             1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                             nullptr) == 1 &&
         EVP_CipherInit_ex(ctx, nullptr, nullptr, Bytes(key), Bytes(nonce), encrypt ? 1 : 0) == 1 &&
         (aad.empty() ||
          EVP_CipherUpdate(ctx, nullptr, &unused, Bytes(aad), static_cast<int>(aad.size())) == 1);
}

Status CheckArgs(std::string_view key, std::string_view nonce, std::string_view aad,
                 size_t data_size) {
  if (key.size() != kKeyLength)
    return Status::InvalidInput("AES-256-GCM: APIv3 key is not 32 bytes");
  if (nonce.empty() || nonce.size() > 256) {
    return Status::InvalidInput("AES-256-GCM: nonce must be 1 to 256 bytes");
  }
  // EVP takes int lengths.
  if (aad.size() > INT_MAX / 2 || data_size > INT_MAX / 2) {
    return Status::InvalidInput("AES-256-GCM: input too large");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> DecryptAes256Gcm(std::string_view apiv3_key, std::string_view nonce,
                                       std::string_view associated_data,
                                       std::string_view ciphertext_b64) {
  CUSTOMSD_RETURN_IF_ERROR(CheckArgs(apiv3_key, nonce, associated_data, ciphertext_b64.size()));
  std::optional<std::string> input = Base64Decode(ciphertext_b64);
  if (!input) return Status::InvalidInput("AES-256-GCM: ciphertext is not valid base64");
  if (input->size() < kTagLength) {
    return Status::InvalidInput("AES-256-GCM: ciphertext shorter than the 16-byte tag");
  }
  const std::string_view data(input->data(), input->size() - kTagLength);
  std::string tag = input->substr(data.size());

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  std::string plain(data.size() + kTagLength, '\0');
  int n = 0;
  int final_n = 0;
  bool ok =
      ctx && Init(ctx.get(), false, apiv3_key, nonce, associated_data) &&
      (data.empty() || EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()),
                                         &n, Bytes(data), static_cast<int>(data.size())) == 1) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagLength),
                          tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + n,
                          &final_n) == 1;
  ERR_clear_error();
  if (!ok) {
    return Status::InvalidInput(
        "AES-256-GCM: authentication failed (wrong APIv3 key or tampered data)");
  }
  plain.resize(static_cast<size_t>(n + final_n));
  return plain;
}

StatusOr<std::string> EncryptAes256Gcm(std::string_view apiv3_key, std::string_view nonce,
                                       std::string_view associated_data,
                                       std::string_view plaintext) {
  CUSTOMSD_RETURN_IF_ERROR(CheckArgs(apiv3_key, nonce, associated_data, plaintext.size()));
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  std::string out(plaintext.size() + 2 * kTagLength, '\0');
  int n = 0;
  int final_n = 0;
  bool ok = ctx && Init(ctx.get(), true, apiv3_key, nonce, associated_data) &&
            (plaintext.empty() ||
             EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                               Bytes(plaintext), static_cast<int>(plaintext.size())) == 1) &&
            EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n,
                                &final_n) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagLength),
                                out.data() + n + final_n) == 1;
  ERR_clear_error();
  if (!ok) return Status::Internal("AES-256-GCM: encryption failed");
  out.resize(static_cast<size_t>(n + final_n) + kTagLength);
  return Base64Encode(out);
}

}  // namespace customsd
