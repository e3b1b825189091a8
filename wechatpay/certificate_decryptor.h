// Decrypting what WeChat Pay encrypts with the APIv3 key: AEAD_AES_256_GCM, key = the 32-byte
// APIv3 key, IV = nonce, AAD = associated_data, input = base64(ciphertext || 16-byte tag).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace customsd {

// The plaintext, or kInvalidInput when the key is not 32 bytes, the base64 is malformed, the
// input is shorter than a tag, or the tag does not verify (wrong key, tampered data).
// Errors never contain the key.
StatusOr<std::string> DecryptAes256Gcm(std::string_view apiv3_key, std::string_view nonce,
                                       std::string_view associated_data,
                                       std::string_view ciphertext_b64);

// The inverse, for the fake WeChat Pay server and tests.
StatusOr<std::string> EncryptAes256Gcm(std::string_view apiv3_key, std::string_view nonce,
                                       std::string_view associated_data,
                                       std::string_view plaintext);

}  // namespace customsd
