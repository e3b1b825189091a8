// Identity fields (certificate_id, certificate_name) of the verify-certificate call are
// encrypted with the platform certificate's public key, RSAES-PKCS1-v1_5, then base64.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "wechatpay/private_key.h"

namespace customsd {

StatusOr<std::string> EncryptSensitiveField(EVP_PKEY* platform_public_key,
                                            std::string_view plaintext);

// The inverse with the platform private key: what the fake WeChat Pay server does.
StatusOr<std::string> DecryptSensitiveField(EVP_PKEY* platform_private_key,
                                            std::string_view ciphertext_b64);

}  // namespace customsd
