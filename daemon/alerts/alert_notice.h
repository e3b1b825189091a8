// What an alert message says, before any wire format: a title and plain-text lines. One
// notice is rendered for every channel (chat webhooks, email), so a WeCom group and a mailbox
// read the same facts in the same order.
//
//  - One alert: the title names the alert and its cause (and the declaration, when there is
//    one); the lines are the summary (which already says what happened, WeChat's code and
//    message, and what to do), the merchant, the declaration with the command that shows it,
//    when it was raised (UTC), and how to acknowledge it.
//  - A digest (alerts held back by the flood limit, daily): the count, the counts by cause,
//    then the first kDigestListed alerts one line each, then how many more and the command
//    that lists them all.
// Lines hold no newline (a summary's line breaks become spaces), so a format may join them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "storage/alert_outbox.h"

namespace customsd {

struct AlertNotice {
  std::string title;
  std::vector<std::string> lines;
};

inline constexpr size_t kDigestListed = 20;

AlertNotice NoticeFor(const PendingAlert& alert);
AlertNotice DigestNotice(const std::vector<PendingAlert>& alerts);

}  // namespace customsd
