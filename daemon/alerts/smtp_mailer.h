// The email alert channel: one plain-text UTF-8 message handed to an SMTP server via libcurl.
//
// Contract of Send: Ok means the server answered 250 to the end of DATA after accepting every
// recipient (one refused RCPT fails the whole send, so nobody silently misses the alert). Any
// other outcome is a Status with a one-line reason: InvalidInput for settings that can never
// work (bad URL, bad address), Unavailable for everything the server or network did, with
// libcurl's error text and the server's last reply code. No reason ever holds the password.
//
// TLS: smtps:// is implicit TLS; smtp:// must upgrade with STARTTLS, and the send fails if the
// server does not offer it, except to a loopback MTA (IsLoopbackSmtp), where STARTTLS is tried
// and plain text accepted. Certificates are always verified against the system CAs.
//
// Thread safety: Send may be called from several threads at once (each call has its own
// libcurl handle; the settings are never modified). Each call blocks for at most the timeout.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "daemon/config/smtp_url.h"  // IsLoopbackSmtp, CheckSmtpUrl

namespace customsd {

struct MailMessage {
  std::string subject;  // UTF-8; control characters become spaces
  std::string text;     // UTF-8 plain text, lines split by '\n'
};

struct SmtpSettings {
  // "smtps://smtp.example.com:465", "smtp://host:587" (STARTTLS) or "smtp://127.0.0.1:25".
  std::string url;
  std::string from;                           // bare address: "customsd@example.com"
  std::vector<std::string> to;                // bare addresses, at least one
  std::string username;                       // "" = no AUTH
  std::string password;                       // the secret itself; never logged, never in a Status
  std::chrono::milliseconds timeout{30'000};  // the whole conversation, connect included
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Ok when the server accepted the message for every recipient; else a one-line reason that
  // never contains the password.
  virtual Status Send(const MailMessage& m) = 0;
};

class SmtpMailer final : public Mailer {
 public:
  // `clock` stamps the Date header and must outlive the mailer.
  SmtpMailer(SmtpSettings s, const Clock& clock);
  Status Send(const MailMessage& m) override;

 private:
  const SmtpSettings settings_;
  const Clock& clock_;
};

// The RFC 5322 message SmtpMailer sends, CRLF line ends: Date (UTC, "+0000"), From, To,
// Subject (RFC 2047 B encoded-words, folded, when not short printable ASCII), Message-ID
// ("<" + message_id + ">"; message_id is "local@domain" without brackets), MIME-Version,
// Content-Type text/plain; charset=UTF-8 and a base64 body in 76-character lines. The body's
// '\n' line ends become CRLF before encoding. Addresses are used as given: Send checks them.
std::string BuildMailMessage(const SmtpSettings& s, const MailMessage& m, TimePoint now,
                             std::string_view message_id);

}  // namespace customsd
