// The generic JSON of an alert, and how each receiver says "accepted". The chat formats
// bodies are in chat_formats.h.
//
// Generic body (UTF-8 JSON; bytes that are not valid UTF-8 become U+FFFD rather than failing):
//   {"id", "cause", "summary", "details" (an object), "mchid" (null when none),
//    "declaration_id" (null for merchant-wide alerts), "created_at" (RFC 3339 UTC)}.
//   details is the stored JSON when it is an object, {} when empty, and {"text": <stored
//   text>} when it is not a JSON object, so nothing is dropped. A digest is
//   {"digest": true, "count": N, "alerts": [one such object per alert]}.
//
// Answers: every format needs a 2xx. WeCom and DingTalk robots also answer 200 with
// {"errcode": N, "errmsg": ...} when they refuse a message (bad key, bad signature, rate
// limit, keyword missing), and Feishu/Lark bots with {"code": N, "msg": ...} (older ones
// {"StatusCode": N, "StatusMessage": ...}); for those formats a non-zero code is a failure
// too, otherwise a refused alert would be marked delivered and lost.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/alert_outbox.h"
#include "wechatpay/http_transport.h"

namespace customsd {

enum class WebhookFormat { kGeneric, kWecom, kDingtalk, kFeishu, kSlack };

// "generic", "wecom", "dingtalk", "feishu" (or "lark"), "slack"; nullopt for anything else.
std::optional<WebhookFormat> ParseWebhookFormat(std::string_view name);

std::string GenericAlertBody(const PendingAlert& alert);
std::string GenericDigestBody(const std::vector<PendingAlert>& alerts);

// Ok when the receiver accepted the alert; else a one-line reason ("HTTP 500: <start of the
// body>", "errcode 93000: <errmsg>") with control characters escaped.
Status CheckWebhookAnswer(const HttpResponse& response, WebhookFormat format);

// The longest prefix of `text` of at most max_bytes that does not split a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace customsd
