// What an alert looks like on the wire: the JSON body POSTed for each alerts.webhook_format,
// and how each receiver says "accepted".
//
// Bodies (all UTF-8 JSON; bytes that are not valid UTF-8 become U+FFFD rather than failing):
//  - generic:  {"id", "cause", "summary", "details" (an object), "mchid" (null when none),
//               "declaration_id" (null for merchant-wide alerts), "created_at" (RFC 3339 UTC)}.
//               details is the stored JSON when it is an object, {} when empty, and
//               {"text": <stored text>} when it is not a JSON object, so nothing is dropped.
//  - wecom:    WeCom group robot   {"msgtype":"text","text":{"content":AlertText}}
//  - dingtalk: DingTalk robot      {"msgtype":"text","text":{"content":AlertText}}
//  - slack:    incoming webhook    {"text":AlertText}, with &, < and > escaped as Slack requires
//               (otherwise "<" in a summary would be read as a link or mention).
// Chat texts are cut at kChatTextLimit bytes (WeCom refuses longer text content) on a UTF-8
// boundary; generic carries the full summary. A DingTalk robot secured by "custom keywords"
// needs one of its keywords in the text: "customsd" always is.
//
// Answers: every format needs a 2xx. WeCom and DingTalk robots also answer 200 with a JSON
// {"errcode": N, "errmsg": ...} when they refuse a message (bad key, rate limit, keyword
// missing), so for those formats a non-zero errcode is a failure too; otherwise a refused
// alert would be marked delivered and lost.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/alert_outbox.h"
#include "wechatpay/http_transport.h"

namespace customsd {

enum class WebhookFormat { kGeneric, kWecom, kDingtalk, kSlack };

inline constexpr size_t kChatTextLimit = 2048;

// "generic", "wecom", "dingtalk", "slack"; nullopt for anything else.
std::optional<WebhookFormat> ParseWebhookFormat(std::string_view name);

// "customsd alert <id> (<cause>): <summary>". The summary already names the declaration, its
// state, WeChat's explanation or error code and message, and what to do next.
std::string AlertText(const PendingAlert& alert);

// The request body for `format`.
std::string WebhookBody(const PendingAlert& alert, WebhookFormat format);

// Ok when the receiver accepted the alert; else a one-line reason ("HTTP 500: <start of the
// body>", "errcode 93000: <errmsg>") with control characters escaped.
Status CheckWebhookAnswer(const HttpResponse& response, WebhookFormat format);

// The longest prefix of `text` of at most max_bytes that does not split a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace customsd
