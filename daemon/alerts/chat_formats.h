// The webhook request for a notice (daemon/alerts/alert_notice.h), per alerts.webhook_format.
// Each shape follows the receiver's own documentation, and tests/daemon/alerts hold every one
// against a receiver that validates it the way the real one does.
//
//  - wecom (WeCom group robot): {"msgtype":"markdown","markdown":{"content"}}: the title as a
//    heading, the lines, then "<@userid>" for each mention. Content at most 4096 bytes.
//  - dingtalk (DingTalk custom robot): {"msgtype":"markdown","markdown":{"title","text"},
//    "at":{"atMobiles","atUserIds","isAtAll"}}: a mention of digits is a mobile, "all" is
//    everyone, anything else a userId; each also appears as "@..." in the text, which is what
//    makes DingTalk render it. With a secret the URL gains &timestamp=&sign= (signing.h).
//    The text always holds "customsd", for robots secured by a custom keyword.
//  - feishu (Feishu/Lark custom bot): {"msg_type":"interactive","card":{"header":{"title",
//    "template":"red"},"elements":[{"tag":"div","text":{"tag":"lark_md","content"}}]}}, with
//    "<at id=...></at>" per mention ("all" = everyone); with a secret the body gains
//    "timestamp" and "sign".
//  - slack (incoming webhook): {"text": fallback, "blocks": [header, section (mrkdwn), context
//    (mentions)]}; a header is at most 150 characters and a section 3000, and &, <, > in our
//    text are escaped so they are never read as links or mentions; mentions are "<@U...>",
//    "<!here>" or "<!channel>".
//  - generic: the alert's JSON (alert_message.h); a digest is {"digest": true, "count",
//    "alerts": [...]}.
// Texts are cut on a UTF-8 boundary where a receiver has a limit, never failed for length.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "daemon/alerts/alert_message.h"
#include "daemon/alerts/alert_notice.h"
#include "wechatpay/http_transport.h"

namespace customsd {

struct WebhookTarget {
  std::string url;
  WebhookFormat format = WebhookFormat::kGeneric;
  std::string secret;                // dingtalk/feishu signing secret; "" = unsigned
  std::vector<std::string> mention;  // people to @, in the format's terms
};

inline constexpr size_t kWecomMarkdownLimit = 4096;
inline constexpr size_t kChatMarkdownLimit = 4096;  // dingtalk and feishu: well under theirs
inline constexpr size_t kSlackHeaderLimit = 150;
inline constexpr size_t kSlackSectionLimit = 3000;

// `alerts` are the alerts the notice covers (one, or a digest's), for the generic body; `now`
// dates the signatures.
HttpRequest WebhookRequest(const WebhookTarget& target, const AlertNotice& notice,
                           const std::vector<PendingAlert>& alerts, bool digest, TimePoint now);

}  // namespace customsd
