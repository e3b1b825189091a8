// Text helpers for messages people read.
#pragma once

#include <string>
#include <string_view>

namespace customsd {

// Quotes user text for a one-line message: control characters are escaped so a stray newline
// cannot split the message, and long text is cut after 64 bytes.
std::string QuoteForMessage(std::string_view text);

}  // namespace customsd
