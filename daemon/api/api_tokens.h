// The bearer tokens the API accepts: api.token_file, one token per line, so a token is rotated
// by adding the new line and sending SIGHUP, moving callers over, then deleting the old line and
// sending SIGHUP again (the file is read at start and on every SIGHUP).
//
// Contract:
//  - The file is a secret file (daemon/config/secret_files.h: regular, no group or other bits;
//    under systemd it comes through LoadCredential=). Blank lines and lines starting with '#'
//    are skipped; surrounding spaces and a trailing "\r" are not part of a token. A token has
//    at least 16 characters; a file with no token is an error (the API would refuse everyone).
//  - Accepts() takes the whole Authorization header value and is true only for
//    "Bearer <token>" with a listed token. It compares digests in constant time and goes
//    through every token, so the time taken does not tell how much of a guess was right.
//  - Tokens never appear in a Status message or a log line.
//
// Thread safety: Accepts() and Reload() may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace customsd {

class ApiTokens {
 public:
  explicit ApiTokens(std::string path) : path_(std::move(path)) {}

  // Reads the file; on failure the tokens read before stay in force.
  [[nodiscard]] Status Reload();

  bool Accepts(std::string_view authorization) const;

  // Parses the file's text (for tests and Reload).
  static StatusOr<std::vector<std::array<unsigned char, 32>>> Parse(std::string_view text);

 private:
  std::string path_;
  mutable std::mutex mu_;
  std::vector<std::array<unsigned char, 32>> digests_;
};

}  // namespace customsd
