// The signatures chat robots require when their "signed" security option is on. Both are
// HMAC-SHA256 over a timestamp and the secret, base64, but they differ in what is the key and
// what is the message, and in the timestamp's unit; both receivers refuse a timestamp more
// than an hour from their clock.
//  - DingTalk (加签): key = secret, message = "<unix ms>\n<secret>"; the base64 goes in the
//    URL as &timestamp=<ms>&sign=<url-encoded base64>.
//  - Feishu/Lark (签名校验): key = "<unix s>\n<secret>", message = empty; the base64 goes in
//    the JSON body as "timestamp" (a string of seconds) and "sign".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace customsd {

std::string DingtalkSignature(std::string_view secret, int64_t unix_ms);  // base64, not encoded
std::string FeishuSignature(std::string_view secret, int64_t unix_seconds);

}  // namespace customsd
