#include "daemon/alerts/alert_channels.h"

#include "daemon/config/secret_files.h"

namespace customsd {

StatusOr<AlertChannels> OpenAlertChannels(const Config::Alerts& alerts, const Clock& clock) {
  AlertChannels channels;
  if (!alerts.webhook_secret_file.empty()) {
    auto secret = ReadLineSecretFile(alerts.webhook_secret_file, "alerts.webhook_secret_file");
    if (!secret.ok()) return secret.status();
    channels.options.webhook_secret = std::move(*secret);
  }
  const Config::Alerts::Email& email = alerts.email;
  if (!email.smtp_url.empty()) {
    SmtpSettings settings;
    settings.url = email.smtp_url;
    settings.from = email.from;
    settings.to = email.to;
    settings.username = email.username;
    if (!email.password_file.empty()) {
      auto password = ReadLineSecretFile(email.password_file, "alerts.email.password_file");
      if (!password.ok()) return password.status();
      settings.password = std::move(*password);
    }
    channels.mailer = std::make_unique<SmtpMailer>(std::move(settings), clock);
    channels.options.mailer = channels.mailer.get();
  }
  return channels;
}

}  // namespace customsd
