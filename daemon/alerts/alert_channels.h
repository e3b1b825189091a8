// The alert channels as configured: the webhook's signing secret and the mailer, read and
// built once at start-up (a reload does not change a running deliverer, as for the rest of
// [alerts]). Secret files follow the key files' rules (secret_files.h: 0600/0400, one line).
// Errors name the config key and path, never the content.
#pragma once

#include <memory>

#include "common/clock.h"
#include "common/status.h"
#include "daemon/alerts/alert_deliverer.h"
#include "daemon/config/config.h"

namespace customsd {

struct AlertChannels {
  AlertDelivererOptions options;   // webhook_secret and mailer set from the config
  std::unique_ptr<Mailer> mailer;  // owns what options.mailer points at; null without email
};

StatusOr<AlertChannels> OpenAlertChannels(const Config::Alerts& alerts, const Clock& clock);

}  // namespace customsd
