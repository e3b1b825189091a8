#include "daemon/intake/field_checks.h"

#include <algorithm>
#include <array>
#include <optional>

namespace customsd {
namespace {

constexpr size_t kMaxLength = 32;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlnum(char c) { return IsDigit(c) || IsUpper(c) || IsLower(c); }

bool AppidChar(char c) { return IsAlnum(c) || c == '_'; }
bool OrderNoChar(char c) {
  return IsAlnum(c) || c == '_' || c == '-' || c == '|' || c == '*' || c == '@';
}
bool CustomsChar(char c) { return IsUpper(c) || IsDigit(c) || c == '_'; }
bool CustomsNoChar(char c) { return IsAlnum(c) || c == '_' || c == '-'; }

struct TextRule {
  bool (*allowed)(char);
  const char* shape;  // completes "must be 1 to 32 ..."
};

constexpr TextRule kAppid{AppidChar, "characters of A-Z a-z 0-9 _"};
constexpr TextRule kDigits{IsDigit, "digits"};
constexpr TextRule kOrderNo{OrderNoChar, "characters of 0-9 A-Z a-z _ - | * @"};
constexpr TextRule kCustoms{CustomsChar, "characters of A-Z 0-9 _"};
constexpr TextRule kCustomsNo{CustomsNoChar, "characters of A-Z a-z 0-9 _ -"};

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Names a rejected character without echoing anything unsafe to print.
std::string DescribeChar(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x80) return "(not ASCII)";
  if (u == ' ') return "(space)";
  if (u < 0x20 || u == 0x7F) {
    constexpr char kHex[] = "0123456789ABCDEF";
    return std::string("(byte 0x") + kHex[u >> 4] + kHex[u & 0xF] + ")";
  }
  return std::string("(") + c + ")";
}

// The message for a text field that breaks its rule, or nullopt when it is fine.
std::optional<std::string> CheckText(std::string_view value, const TextRule& rule) {
  if (value.empty()) return "required";
  size_t chars = 0;
  std::optional<std::string> bad_char;
  bool in_sequence = false;  // after a non-ASCII byte: continuation bytes add no character
  for (char c : value) {
    bool skip = in_sequence && IsContinuationByte(c);
    in_sequence = static_cast<unsigned char>(c) >= 0x80;
    if (skip) continue;
    ++chars;
    if (!bad_char && !rule.allowed(c)) {
      bad_char = "character " + std::to_string(chars) + " " + DescribeChar(c) + " is not allowed";
    }
  }
  if (chars <= kMaxLength && !bad_char) return std::nullopt;
  std::string message = std::string("must be 1 to 32 ") + rule.shape;
  if (chars > kMaxLength) message += "; found " + std::to_string(chars) + " characters";
  if (bad_char) message += "; " + *bad_char;
  return message;
}

void Check(std::vector<FieldError>& out, const char* field, std::string_view value,
           const TextRule& rule) {
  if (auto message = CheckText(value, rule)) out.push_back({field, *message});
}

void CheckFen(std::vector<FieldError>& out, const char* field, const std::optional<int64_t>& v) {
  if (!v) return;
  if (std::string message = FenRangeMessage(*v); !message.empty()) {
    out.push_back({field, message});
  }
}

bool InRange(const std::optional<int64_t>& v) { return v && *v >= 0 && *v <= kMaxFen; }

void CheckSplitFees(std::vector<FieldError>& out, const DeclarationFields& d) {
  const char* kRequired = "required for a split order (sub_order_no is set)";
  if (!d.fee_type) {
    out.push_back({"fee_type", kRequired});
  } else if (*d.fee_type != "CNY") {
    out.push_back({"fee_type", "must be \"CNY\" (the only currency WeChat accepts)"});
  }
  bool sum_checkable = InRange(d.transport_fee) && InRange(d.product_fee);
  if (!d.order_fee) {
    out.push_back({"order_fee", kRequired});
  } else if (!InRange(d.order_fee)) {
    CheckFen(out, "order_fee", d.order_fee);
  } else if (sum_checkable && *d.order_fee != *d.transport_fee + *d.product_fee) {
    out.push_back({"order_fee", "must equal transport_fee + product_fee (" +
                                    std::to_string(*d.transport_fee) + " + " +
                                    std::to_string(*d.product_fee) + " = " +
                                    std::to_string(*d.transport_fee + *d.product_fee) +
                                    "), found " + std::to_string(*d.order_fee)});
  }
  if (!d.transport_fee) out.push_back({"transport_fee", kRequired});
  CheckFen(out, "transport_fee", d.transport_fee);
  if (!d.product_fee) out.push_back({"product_fee", kRequired});
  CheckFen(out, "product_fee", d.product_fee);
}

void CheckPlainHasNoFees(std::vector<FieldError>& out, const DeclarationFields& d) {
  const char* kOnlySplit = "only for split orders: set sub_order_no";
  if (d.fee_type) out.push_back({"fee_type", kOnlySplit});
  if (d.order_fee) out.push_back({"order_fee", kOnlySplit});
  if (d.transport_fee) out.push_back({"transport_fee", kOnlySplit});
  if (d.product_fee) out.push_back({"product_fee", kOnlySplit});
}

}  // namespace

std::optional<std::string> IdentityFieldProblem(std::string_view field, std::string_view value) {
  return CheckText(value, field == "mchid" ? kDigits : kAppid);
}

std::string FenRangeMessage(int64_t value) {
  if (value < 0) return "must be 0 or more fen";
  if (value > kMaxFen) return "must be at most " + std::to_string(kMaxFen) + " fen";
  return "";
}

std::vector<FieldError> ValidateDeclaration(const DeclarationFields& d) {
  std::vector<FieldError> out;
  Check(out, "appid", d.appid, kAppid);
  Check(out, "mchid", d.mchid, kDigits);
  Check(out, "out_trade_no", d.out_trade_no, kOrderNo);
  Check(out, "transaction_id", d.transaction_id, kDigits);
  Check(out, "customs", d.customs, kCustoms);
  Check(out, "merchant_customs_no", d.merchant_customs_no, kCustomsNo);
  CheckFen(out, "duty", d.duty);
  if (d.sub_order_no.empty()) {
    CheckPlainHasNoFees(out, d);
  } else {
    Check(out, "sub_order_no", d.sub_order_no, kOrderNo);
    CheckSplitFees(out, d);
  }
  return out;
}

std::vector<FieldError> DeclarationWarnings(const DeclarationFields& d) {
  std::vector<FieldError> out;
  // Only a well-formed code is named back: a malformed one is already an error.
  if (!CheckText(d.customs, kCustoms) && !IsKnownCustomsCode(d.customs)) {
    out.push_back(
        {"customs", "'" + d.customs + "' is not a customs code customsd knows; declared anyway"});
  }
  return out;
}

bool IsKnownCustomsCode(std::string_view code) {
  static constexpr std::array<std::string_view, 18> kCodes = {
      "GUANGZHOU_ZS", "GUANGZHOU_HP_GJ", "GUANGZHOU_NS_GJ", "HANGZHOU_ZS", "NINGBO", "ZHENGZHOU_BS",
      "ZHENGZHOU_ZH_ZS", "CHONGQING", "XIAN", "SHANGHAI_ZS", "SHENZHEN", "TIANJIN", "BEIJING",
      "ZONGSHU",
      // Older codes, still seen in merchants' systems.
      "GUANGZHOU", "HANGZHOU", "SHANGHAI", "ZHENGZHOU_ZH"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

std::optional<int64_t> ParseFenText(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min(value * 10 + (c - '0'), kMaxFen + 1);
  }
  return negative ? -value : value;
}

namespace {

// C1 controls (U+0080-U+009F: CSI is a terminal escape) and Unicode's Bidi_Control characters,
// which make text display in another order than it is (U+061C, U+200E/F, U+202A-U+202E,
// U+2066-U+2069).
bool IsHiddenControl(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string PrintableName(std::string_view name) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < name.size();) {
    auto u = static_cast<unsigned char>(name[i]);
    size_t len = u < 0x80 ? 1 : u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : u >= 0xC0 ? 2 : 1;
    if (i + len > name.size()) len = 1;
    uint32_t cp = len == 1 ? u : u & (0x7F >> len);
    for (size_t k = 1; k < len; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(name[i + k]) & 0x3F);
    if (++chars > 40) return out + "...";
    if (cp < 0x20 || cp == 0x7F || IsHiddenControl(cp) || (len == 1 && u >= 0x80)) {
      out += '?';
    } else {
      out.append(name.substr(i, len));
    }
    i += len;
  }
  return out;
}

size_t FindInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;  // overlong
      if (b0 == 0xED) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) lo = 0x90;  // overlong
      if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b1 < lo || b1 > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (!IsContinuationByte(s[i + k])) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace customsd
