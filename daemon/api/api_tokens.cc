#include "daemon/api/api_tokens.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "daemon/config/secret_files.h"

namespace customsd {
namespace {

constexpr size_t kMinTokenLength = 16;

std::array<unsigned char, 32> Digest(std::string_view text) {
  std::array<unsigned char, 32> d{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d.data());
  return d;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

StatusOr<std::vector<std::array<unsigned char, 32>>> ApiTokens::Parse(std::string_view text) {
  std::vector<std::array<unsigned char, 32>> digests;
  int line_no = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = Trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    if (line.size() < kMinTokenLength) {
      return Status::InvalidInput("api.token_file: line " + std::to_string(line_no) +
                                  ": a token needs at least " + std::to_string(kMinTokenLength) +
                                  " characters (try: openssl rand -hex 32)");
    }
    digests.push_back(Digest(line));
  }
  if (digests.empty()) {
    return Status::InvalidInput("api.token_file: no token in the file (one per line)");
  }
  return digests;
}

Status ApiTokens::Reload() {
  auto text = ReadSecretFile(path_, "api.token_file");
  if (!text.ok()) return text.status();
  auto digests = Parse(*text);
  if (!digests.ok()) return digests.status();
  std::lock_guard<std::mutex> lock(mu_);
  digests_ = std::move(*digests);
  return Status::Ok();
}

bool ApiTokens::Accepts(std::string_view authorization) const {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() ||
      authorization.substr(0, kScheme.size()) != kScheme) {
    return false;
  }
  const std::array<unsigned char, 32> presented = Digest(authorization.substr(kScheme.size()));
  std::lock_guard<std::mutex> lock(mu_);
  bool match = false;
  for (const auto& d : digests_) {
    match |= CRYPTO_memcmp(d.data(), presented.data(), d.size()) == 0;
  }
  return match;
}

}  // namespace customsd
