#include "wechatpay/private_key.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace customsd {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

Status CheckRsa(EVP_PKEY* key, std::string_view what) {
  if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
    return Status::InvalidInput(std::string(what) + ": not an RSA key (APIv3 uses RSA)");
  }
  if (EVP_PKEY_bits(key) < 2048) {
    return Status::InvalidInput(std::string(what) + ": RSA key shorter than 2048 bits");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<EvpPkeyPtr> ParsePrivateKeyPem(std::string_view pem, std::string_view what) {
  BioPtr bio = MemoryBio(pem);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) return Status::InvalidInput(std::string(what) + ": not a PEM private key");
  if (Status s = CheckRsa(key.get(), what); !s.ok()) return s;
  return key;
}

StatusOr<EvpPkeyPtr> ParsePublicKeyPem(std::string_view pem, std::string_view what) {
  EvpPkeyPtr key;
  if (pem.find("BEGIN CERTIFICATE") != std::string_view::npos) {
    BioPtr bio = MemoryBio(pem);
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert != nullptr) {
      key.reset(X509_get_pubkey(cert));
      X509_free(cert);
    }
  } else {
    BioPtr bio = MemoryBio(pem);
    key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  }
  ERR_clear_error();
  if (!key) return Status::InvalidInput(std::string(what) + ": not a PEM public key or certificate");
  if (Status s = CheckRsa(key.get(), what); !s.ok()) return s;
  return key;
}

}  // namespace customsd
