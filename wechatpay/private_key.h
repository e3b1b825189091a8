// Loading the keys APIv3 signs and verifies with, through OpenSSL.
//
// Errors name what was being loaded (the caller passes the config key) and never include the
// key material.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace customsd {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
// Keys shared between threads and key stores. EVP_PKEY is safe to use from several threads at
// once for signing and verifying.
using SharedPkey = std::shared_ptr<EVP_PKEY>;
inline SharedPkey Share(EvpPkeyPtr key) { return SharedPkey(std::move(key)); }

// A PEM private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"). APIv3 needs RSA of at
// least 2048 bits; anything else is refused.
StatusOr<EvpPkeyPtr> ParsePrivateKeyPem(std::string_view pem, std::string_view what);

// A PEM public key ("PUBLIC KEY") or an X.509 certificate ("CERTIFICATE"), returning its key.
StatusOr<EvpPkeyPtr> ParsePublicKeyPem(std::string_view pem, std::string_view what);

}  // namespace customsd
