#include "daemon/config/secret_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace customsd {
namespace {

// Key files are a few kilobytes; a large file is the wrong file and is not worth reading.
constexpr off_t kMaxSecretBytes = off_t{64} * 1024;
constexpr size_t kApiV3KeyBytes = 32;

std::string Prefix(std::string_view key_name, const std::string& path) {
  return std::string(key_name) + ": " + path + ": ";
}

// Permission bits as chmod takes them: "0640".
std::string ModeText(mode_t mode) {
  std::string text;
  for (int shift = 9; shift >= 0; shift -= 3) {
    text += static_cast<char>('0' + ((mode >> shift) & 7));
  }
  return text;
}

StatusOr<std::string> ReadCheckedFile(const std::string& path, std::string_view key_name,
                                      bool is_secret) {
  const std::string prefix = Prefix(key_name, path);
  // O_NONBLOCK: a FIFO at the path must not hang the daemon; it fails the regular-file test.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    return Status::IoError(prefix + "cannot open: " + std::strerror(errno));
  }
  struct stat st;
  Status status;
  std::string content;
  if (::fstat(fd, &st) != 0) {
    status = Status::IoError(prefix + "cannot stat: " + std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    status = Status::FailedPrecondition(prefix + "not a regular file");
  } else if (is_secret && (st.st_mode & 077) != 0) {
    status = Status::FailedPrecondition(prefix + "mode " + ModeText(st.st_mode) +
                                        " lets group or others access it; use chmod 600");
  } else if (st.st_size > kMaxSecretBytes) {
    status = Status::InvalidInput(prefix + "too large for a key file (over 64 KiB)");
  } else {
    // Sized up front so that growing the string leaves no stray copies of the secret behind.
    content.reserve(static_cast<size_t>(st.st_size) + 1);
    char buf[4096];
    while (true) {
      const ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        status = Status::IoError(prefix + "cannot read: " + std::strerror(errno));
        break;
      }
      if (n == 0) {
        break;
      }
      content.append(buf, static_cast<size_t>(n));
      if (content.size() > static_cast<size_t>(kMaxSecretBytes)) {
        status = Status::InvalidInput(prefix + "too large for a key file (over 64 KiB)");
        break;
      }
    }
    // The stack buffer held secret bytes; do not leave them behind.
    explicit_bzero(buf, sizeof(buf));
  }
  ::close(fd);
  if (!status.ok()) {
    explicit_bzero(content.data(), content.size());
    return status;
  }
  return content;
}

}  // namespace

StatusOr<std::string> ReadSecretFile(const std::string& path, std::string_view key_name) {
  return ReadCheckedFile(path, key_name, /*is_secret=*/true);
}

StatusOr<std::string> ReadPublicFile(const std::string& path, std::string_view key_name) {
  return ReadCheckedFile(path, key_name, /*is_secret=*/false);
}

StatusOr<std::string> ReadApiV3KeyFile(const std::string& path, std::string_view key_name) {
  StatusOr<std::string> content = ReadSecretFile(path, key_name);
  if (!content.ok()) {
    return content;
  }
  std::string key = std::move(content).value();
  if (key.ends_with("\r\n")) {
    key.resize(key.size() - 2);
  } else if (key.ends_with('\n')) {
    key.resize(key.size() - 1);
  }
  if (key.size() != kApiV3KeyBytes) {
    const size_t size = key.size();
    explicit_bzero(key.data(), key.size());
    return Status::InvalidInput(Prefix(key_name, path) + "an APIv3 key must be exactly 32 bytes (" +
                                std::to_string(size) + " found, not counting one final newline)");
  }
  return key;
}

Status CheckSecretFiles(const Config& config) {
  for (const MerchantConfig& m : config.merchants) {
    const std::string name = m.config_key.empty() ? "merchant" : m.config_key;
    StatusOr<std::string> private_key =
        ReadSecretFile(m.private_key_file, name + ".private_key_file");
    if (!private_key.ok()) {
      return private_key.status();
    }
    explicit_bzero(private_key->data(), private_key->size());

    StatusOr<std::string> apiv3_key = ReadApiV3KeyFile(m.apiv3_key_file, name + ".apiv3_key_file");
    if (!apiv3_key.ok()) {
      return apiv3_key.status();
    }
    explicit_bzero(apiv3_key->data(), apiv3_key->size());

    if (!m.platform_public_key_file.empty()) {
      StatusOr<std::string> public_key =
          ReadPublicFile(m.platform_public_key_file, name + ".platform_public_key_file");
      if (!public_key.ok()) {
        return public_key.status();
      }
    }
  }
  for (const auto& [path, key] :
       {std::pair{config.alerts.webhook_secret_file, "alerts.webhook_secret_file"},
        std::pair{config.alerts.email.password_file, "alerts.email.password_file"}}) {
    if (path.empty()) continue;
    StatusOr<std::string> secret = ReadLineSecretFile(path, key);
    if (!secret.ok()) return secret.status();
    explicit_bzero(secret->data(), secret->size());
  }
  for (const Config::Notify& n : config.notify) {
    StatusOr<std::string> secret = ReadLineSecretFile(n.secret_file, n.config_key + ".secret_file");
    if (!secret.ok()) return secret.status();
    explicit_bzero(secret->data(), secret->size());
  }
  if (!config.api.listen.empty()) {
    StatusOr<std::string> tokens = ReadSecretFile(config.api.token_file, "api.token_file");
    if (!tokens.ok()) return tokens.status();
    explicit_bzero(tokens->data(), tokens->size());
  }
  return Status::Ok();
}

StatusOr<std::string> ReadLineSecretFile(const std::string& path, std::string_view key_name) {
  StatusOr<std::string> secret = ReadSecretFile(path, key_name);
  if (!secret.ok()) return secret;
  std::string& s = *secret;
  if (s.ends_with("\n")) s.pop_back();
  if (s.ends_with("\r")) s.pop_back();
  if (s.empty() || s.find_first_of("\r\n") != std::string::npos) {
    explicit_bzero(s.data(), s.size());
    return Status::InvalidInput(std::string(key_name) + ": " + path +
                                " must hold the secret on one line");
  }
  return secret;
}

}  // namespace customsd
