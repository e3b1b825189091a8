// ParseAuthorization: the server side of the Authorization header, used by the fake WeChat Pay
// to check what the daemon sends. Strict on purpose, so a client bug shows up in tests.
#include <array>
#include <string>

#include "wechatpay/signer.h"

namespace customsd {
namespace {

constexpr std::string_view kScheme = "WECHATPAY2-SHA256-RSA2048";

void SkipSpaces(std::string_view* s) {
  while (!s->empty() && (s->front() == ' ' || s->front() == '\t')) s->remove_prefix(1);
}

// Error messages name the item at most: the header carries a signature and is never echoed.
Status Invalid(std::string_view why) {
  return Status::InvalidInput("Authorization header: " + std::string(why));
}

}  // namespace

StatusOr<ParsedAuthorization> ParseAuthorization(std::string_view header) {
  if (!header.starts_with(kScheme)) return Invalid("scheme is not WECHATPAY2-SHA256-RSA2048");
  std::string_view rest = header.substr(kScheme.size());
  if (rest.empty() || rest.front() != ' ') return Invalid("no space after the scheme");
  SkipSpaces(&rest);

  ParsedAuthorization out;
  const std::array<std::pair<std::string_view, std::string*>, 5> items = {{
      {"mchid", &out.mchid},
      {"serial_no", &out.serial_no},
      {"timestamp", &out.timestamp},
      {"nonce_str", &out.nonce_str},
      {"signature", &out.signature},
  }};
  std::array<bool, items.size()> seen{};

  while (true) {
    const size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return Invalid("item without '='");
    const std::string_view name = rest.substr(0, eq);
    size_t index = items.size();
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].first == name) index = i;
    }
    if (index == items.size()) return Invalid("unknown item");
    if (seen[index]) return Invalid("item " + std::string(name) + " repeated");
    seen[index] = true;

    rest.remove_prefix(eq + 1);
    if (rest.empty() || rest.front() != '"') {
      return Invalid("item " + std::string(name) + " not quoted");
    }
    rest.remove_prefix(1);
    const size_t close = rest.find('"');
    if (close == std::string_view::npos) {
      return Invalid("item " + std::string(name) + " not quoted");
    }
    if (close == 0) return Invalid("item " + std::string(name) + " empty");
    items[index].second->assign(rest.substr(0, close));
    rest.remove_prefix(close + 1);

    SkipSpaces(&rest);
    if (rest.empty()) break;
    if (rest.front() != ',') return Invalid("items not separated by ','");
    rest.remove_prefix(1);
    SkipSpaces(&rest);
  }

  for (size_t i = 0; i < items.size(); ++i) {
    if (!seen[i]) return Invalid("item " + std::string(items[i].first) + " missing");
  }
  return out;
}

}  // namespace customsd
