// The [alerts.email] smtp_url, as the config checks it and the mailer reads it. Here, below
// both, so that checking a config needs nothing from daemon/alerts.
#pragma once

#include <string>
#include <string_view>

namespace customsd {

// True when the URL's host is 127.0.0.1, ::1 or localhost (a local MTA): only then may plain
// smtp:// go without TLS.
bool IsLoopbackSmtp(std::string_view url);

// Validation for the config: "" when fine, else a reason ("must start with smtp:// or
// smtps://", ...). Credentials in the URL are refused: they belong in username/password.
std::string CheckSmtpUrl(std::string_view url);

}  // namespace customsd
