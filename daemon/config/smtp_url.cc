#include "daemon/config/smtp_url.h"

#include <curl/curl.h>
#include <strings.h>

#include <memory>
#include <optional>

namespace customsd {
namespace {

template <auto free>
struct Free {
  void operator()(auto* p) const { free(p); }
};
using Url = std::unique_ptr<CURLU, Free<curl_url_cleanup>>;

std::optional<std::string> UrlPart(const Url& url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url.get(), part, &value, 0) != CURLUE_OK) return std::nullopt;
  std::string copy(value);
  curl_free(value);
  return copy;
}

Url Parse(std::string_view text) {
  Url url(curl_url());
  if (url && curl_url_set(url.get(), CURLUPART_URL, std::string(text).c_str(), 0) != CURLUE_OK) {
    url.reset();
  }
  return url;
}

}  // namespace

bool IsLoopbackSmtp(std::string_view url) {
  const Url u = CheckSmtpUrl(url).empty() ? Parse(url) : nullptr;
  const std::string host = u ? UrlPart(u, CURLUPART_HOST).value_or("") : "";
  return host == "127.0.0.1" || host == "[::1]" || ::strcasecmp(host.c_str(), "localhost") == 0;
}

std::string CheckSmtpUrl(std::string_view url) {
  const std::string text(url);
  if (::strncasecmp(text.c_str(), "smtp://", 7) != 0 &&
      ::strncasecmp(text.c_str(), "smtps://", 8) != 0) {
    return "must start with smtp:// or smtps://";
  }
  const Url u = Parse(text);
  if (!u) return "is not a valid URL";
  if (UrlPart(u, CURLUPART_HOST).value_or("").empty()) return "has no host";
  if (UrlPart(u, CURLUPART_USER) || UrlPart(u, CURLUPART_PASSWORD)) {
    return "must not contain credentials: set username and password instead";
  }
  if (UrlPart(u, CURLUPART_QUERY) || UrlPart(u, CURLUPART_FRAGMENT)) {
    return "must not have a query or fragment";
  }
  return "";
}

}  // namespace customsd
