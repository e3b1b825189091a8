// LoadConfig and the single-value checks; the TOML walk is in config_parse.cc and the value
// rules in config_validate.cc.
#include "daemon/config/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

namespace customsd {
namespace {

bool IsDigits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

bool IsHostnameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool IsValidPort(std::string_view port) {
  if (!IsDigits(port) || port.size() > 5) {
    return false;
  }
  const int value = std::stoi(std::string(port));
  return value >= 1 && value <= 65535;
}

struct HostPort {
  std::string_view host;  // brackets kept for IPv6: "[::1]"
  std::optional<std::string_view> port;
};

// Splits "host[:port]" or "[v6][:port]"; nullopt when the shape is wrong. The port is not
// checked here.
std::optional<HostPort> SplitHostPort(std::string_view authority) {
  if (authority.empty()) {
    return std::nullopt;
  }
  HostPort out;
  std::string_view rest;
  if (authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) {
      return std::nullopt;
    }
    for (char c : authority.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
        return std::nullopt;
      }
    }
    out.host = authority.substr(0, close + 1);
    rest = authority.substr(close + 1);
  } else {
    const size_t colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      rest = authority.substr(colon);
    }
    if (out.host.empty()) {
      return std::nullopt;
    }
    for (char c : out.host) {
      if (!IsHostnameChar(c)) {
        return std::nullopt;
      }
    }
  }
  if (rest.empty()) {
    return out;
  }
  if (rest[0] != ':') {
    return std::nullopt;
  }
  out.port = rest.substr(1);
  return out;
}

Status Invalid(std::string message) { return Status::InvalidInput(std::move(message)); }

// A config file is a few kilobytes; anything far bigger is the wrong file.
constexpr off_t kMaxConfigBytes = 1 << 20;

StatusOr<std::string> ReadConfigFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return Status::IoError(path + ": cannot read: " + std::strerror(errno));
  }
  struct stat st;
  std::string text;
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = Status::IoError(path + ": cannot read: " + std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    status = Status::IoError(path + ": cannot read: not a regular file");
  } else if (st.st_size > kMaxConfigBytes) {
    status = Status::InvalidInput(path + ": too large for a config file (over 1 MiB)");
  } else {
    char buf[8192];
    while (true) {
      const ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        status = Status::IoError(path + ": cannot read: " + std::strerror(errno));
        break;
      }
      if (n == 0) {
        break;
      }
      text.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  if (!status.ok()) {
    return status;
  }
  return text;
}

}  // namespace

Status ConfigError(std::string_view source, uint32_t line, std::string_view key,
                   std::string_view what) {
  std::string message(source);
  if (line > 0) {
    message += ":" + std::to_string(line);
  }
  message += ": ";
  message += key;
  message += ": ";
  message += what;
  return Status::InvalidInput(std::move(message));
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "[::1]") {
    return true;
  }
  std::string lower(host);
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (lower == "localhost") {
    return true;
  }
  // 127.0.0.0/8, dotted quad only: "127.1" or "127.0.0.1.example.com" are not loopback here.
  std::string_view rest = host;
  int octets = 0;
  std::string_view first;
  while (true) {
    const size_t dot = rest.find('.');
    const std::string_view octet = rest.substr(0, dot);
    if (!IsDigits(octet) || octet.size() > 3 || std::stoi(std::string(octet)) > 255) {
      return false;
    }
    if (octets == 0) {
      first = octet;
    }
    ++octets;
    if (dot == std::string_view::npos) {
      break;
    }
    rest = rest.substr(dot + 1);
  }
  return octets == 4 && std::stoi(std::string(first)) == 127;
}

Status CheckBaseUrl(std::string_view url) {
  const std::string got = " (got " + QuoteForMessage(url) + ")";
  std::string_view authority;
  bool http = false;
  if (url.starts_with("https://")) {
    authority = url.substr(8);
  } else if (url.starts_with("http://")) {
    authority = url.substr(7);
    http = true;
  } else {
    return Invalid("must start with https://" + got);
  }
  if (authority.find_first_of("/?#") != std::string_view::npos) {
    return Invalid("must be scheme://host[:port] without path, query or trailing slash" + got);
  }
  const std::optional<HostPort> hp = SplitHostPort(authority);
  if (!hp) {
    return Invalid("has an invalid host" + got);
  }
  if (hp->port && !IsValidPort(*hp->port)) {
    return Invalid("has an invalid port (must be 1-65535)" + got);
  }
  if (http && !IsLoopbackHost(hp->host)) {
    return Invalid(
        "http:// is allowed only for loopback hosts (127.0.0.0/8, localhost, [::1]); use "
        "https://" +
        got);
  }
  return Status::Ok();
}

Status CheckWebhookUrl(std::string_view url) {
  if (url.empty()) {
    return Status::Ok();
  }
  constexpr std::string_view kMust = "must be an http:// or https:// URL";
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return Invalid(std::string(kMust));
  }
  for (char c : url) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return Invalid(std::string(kMust) + " without spaces");
    }
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  // Userinfo is allowed in a webhook URL; only the host part has to be well formed.
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  const std::optional<HostPort> hp = SplitHostPort(authority);
  if (!hp) {
    return Invalid(std::string(kMust) + " with a host");
  }
  if (hp->port && !IsValidPort(*hp->port)) {
    return Invalid(std::string(kMust) + " with a valid port (1-65535)");
  }
  // The transport sends clear text only to loopback (the URL carries a token, the alert
  // carries order data); anything else could never be delivered.
  if (url.starts_with("http://") && !IsLoopbackHost(hp->host)) {
    return Invalid("http:// is only for loopback hosts; use https://");
  }
  return Status::Ok();
}

Status CheckListenAddress(std::string_view listen) {
  if (listen.empty()) {
    return Status::Ok();
  }
  const std::optional<HostPort> hp = SplitHostPort(listen);
  if (!hp || !hp->port) {
    return Invalid("must be host:port or [v6]:port, or \"\" to turn metrics off (got " +
                   QuoteForMessage(listen) + ")");
  }
  if (!IsValidPort(*hp->port)) {
    return Invalid("port must be 1-65535 (got " + QuoteForMessage(listen) + ")");
  }
  return Status::Ok();
}

std::string ResolveConfigPath(std::string_view path, std::string_view base_dir) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) {
    return std::string(path);
  }
  return (std::filesystem::path(base_dir) / std::filesystem::path(path)).string();
}

const MerchantConfig* Config::FindMerchant(std::string_view mchid) const {
  for (const MerchantConfig& m : merchants) {
    if (m.mchid == mchid) {
      return &m;
    }
  }
  return nullptr;
}

StatusOr<Config> LoadConfig(const std::string& path) {
  StatusOr<std::string> text = ReadConfigFile(path);
  if (!text.ok()) {
    return text.status();
  }
  ConfigContext ctx;
  ctx.source_name = path;
  // Absolute, so resolved paths stay right whatever the working directory is later.
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  ctx.config_dir = (ec ? std::filesystem::path(path) : absolute).parent_path().string();
  if (const char* creds = std::getenv("CREDENTIALS_DIRECTORY"); creds != nullptr && *creds) {
    ctx.credentials_dir = creds;
  }
  return ParseConfig(*text, ctx);
}

}  // namespace customsd
