// Field rules for a declaration: what WeChat Pay validates on POST /v3/global/customs/orders,
// made precise so that a declaration customsd accepts is never refused by WeChat for its form.
//
// The rules (string lengths are counted in characters; "required" means non-empty):
//   appid                1-32 of [A-Za-z0-9_]
//   mchid                1-32 digits
//   out_trade_no         1-32 of [0-9A-Za-z] and _ - | * @   (WeChat's published set)
//   transaction_id       1-32 digits (WeChat's ids are 28; the API type allows 32)
//   customs              1-32 of [A-Z0-9_]; a well-formed code customsd does not know is only a
//                        warning (DeclarationWarnings): WeChat adds customs over time
//   merchant_customs_no  1-32 of [A-Za-z0-9_-]
//   sub_order_no         optional; when set, 1-32 of the out_trade_no set, and the order is a
//                        *split order*
//   duty, order_fee, transport_fee, product_fee
//                        whole fen, 0 <= x <= 2^53 (so every value survives a JSON double)
//   split order          fee_type, order_fee, transport_fee, product_fee all required;
//                        fee_type exactly "CNY"; order_fee == transport_fee + product_fee
//   plain order          fee_type and the three fees must be absent: a forgotten sub_order_no
//                        must not silently turn a split order into a plain one
//
// Messages never contain the rejected value itself (it may hold control characters or bytes
// that are not UTF-8); they say what is allowed, the length found, and which character is at
// fault (shown only when it is printable ASCII).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/declaration.h"

namespace customsd {

// 2^53: the largest amount accepted, in fen.
inline constexpr int64_t kMaxFen = int64_t{1} << 53;

struct FieldError {
  std::string field;
  std::string message;  // without the field name, e.g. "must be 1 to 32 digits"

  bool operator==(const FieldError&) const = default;
};

// Every problem with one declaration (empty = valid), in field order, at most one per field.
std::vector<FieldError> ValidateDeclaration(const DeclarationFields& d);

// The rule of one identity field ("appid" or "mchid") alone, for the config's defaults: its
// message (as in FieldError), or nullopt when `value` passes. The config holds what every
// declaration of the merchant sends, so it must pass the same rule.
std::optional<std::string> IdentityFieldProblem(std::string_view field, std::string_view value);

// Things worth telling the user that do not stop the declaration (an unknown customs code).
std::vector<FieldError> DeclarationWarnings(const DeclarationFields& d);

// The customs codes of the reference list, including the older spellings still accepted.
bool IsKnownCustomsCode(std::string_view code);

// The messages used for fee amounts, shared with the readers that parse them.
std::string FenRangeMessage(int64_t value);  // "" when 0 <= value <= kMaxFen
inline constexpr std::string_view kNotWholeFen = "must be a whole number of fen";

// An amount written as text (a CSV cell, a command-line flag): an optional '-' and digits, else
// nullopt. The sign is accepted so that validation can say "0 or more" rather than "not a
// number"; values beyond kMaxFen come back as kMaxFen + 1 (never overflow).
std::optional<int64_t> ParseFenText(std::string_view s);

// A name the user gave (a JSON key, a CSV column), safe to print in a message: control
// characters become '?' and it is cut after 40 characters. `name` must be valid UTF-8.
std::string PrintableName(std::string_view name);

// Byte offset of the first byte that is not part of well-formed UTF-8 (no overlong forms, no
// surrogates, nothing above U+10FFFF), or std::string_view::npos when all of it is.
size_t FindInvalidUtf8(std::string_view s);

}  // namespace customsd
