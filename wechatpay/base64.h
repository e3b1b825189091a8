// Standard base64 (with padding, no line breaks) through OpenSSL's EVP_EncodeBlock.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace customsd {

std::string Base64Encode(std::string_view bytes);
// nullopt when `text` is not valid padded base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace customsd
