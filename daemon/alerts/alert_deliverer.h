// AlertDeliverer: delivers the alerts outbox (storage/alert_outbox.h) to the operators.
//
// Contract
//  - Every alert is logged once at error level ("alert 7 (FAIL): <summary>") the first time it
//    is attempted (attempts = 0), whatever the channels. With no channel configured (no
//    webhook_url, no email, no command), that line is the delivery and the alert is marked
//    delivered.
//  - Channels: "webhook" (WebhookRequest of chat_formats.h, per alerts.webhook_format, signed
//    with options.webhook_secret when set; accepted per CheckWebhookAnswer), "email"
//    (options.mailer, when set: the notice's title as the subject, its lines as the text) and
//    "command" (AlertCommandRunner). A transport error or any refusal fails the attempt.
//  - An alert is delivered when every configured channel has accepted it. Each channel is
//    remembered separately, so a channel that already accepted is not repeated while another
//    is retried: last_error then starts with "delivered to webhook; " (or "delivered to
//    webhook and email; ") followed by the others' failures, e.g. "delivered to webhook;
//    command: exited with status 1". Keeping this in last_error (rather than a table) keeps the
//    schema small and stays readable in sqlite3. The memory is per channel kind: after a config
//    change to another webhook_url, alerts the old receiver accepted are not sent to the new one.
//  - Flood control (alerts.digest = "daily"): once alerts.flood_limit alerts went out one by
//    one within the last hour, a new alert (one not attempted yet) is not sent alone: it is
//    held for the next digest at alerts.digest_at UTC (in_digest = 1, next_attempt_at = that
//    time, last_error says so). When the digest is due, each channel gets one message (a
//    DigestNotice) for every held alert it has not accepted yet; the log still has every alert's
//    line at once. Without digest, every alert goes out alone however many there are.
//  - A failed attempt is retried with exponential backoff and full jitter (5 s initial, doubling,
//    capped at 10 min), without an attempt limit: nothing is ever dropped. Attempts,
//    next_attempt_at and last_error are in the table, so retries survive restarts.
//  - Delivery is at least once: a crash (or Stop) between a receiver's acceptance and the
//    database update sends that channel again on the next start.
//  - While options.database_writable says no, nothing is delivered from the outbox; alerts raised
//    meanwhile that could not be stored go out through SendWithoutDatabase.
//  - The webhook URL and the secrets are never logged or stored (they carry tokens): messages
//    say "webhook", and the URL and its long path/query parts are scrubbed from error texts.
//
// Threads: RunOnce runs on the caller's thread; Start() runs it every `interval` on a thread of
// its own, so a slow receiver never blocks the workflow. While started, do not call RunOnce
// from elsewhere (the Database, Random, mailer and runner are used unsynchronised). Stop() is
// prompt: it wakes the waiting thread, cancels the command runner (a running command is killed
// and retried later) and stops between alerts; a webhook request or a mail in progress
// finishes or times out, unless the owner aborts the transport first (CurlTransport::AbortAll).
// Start and Stop are meant to be called once each; the destructor calls Stop.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/backoff.h"
#include "common/clock.h"
#include "daemon/alerts/alert_command.h"
#include "daemon/alerts/alert_message.h"
#include "daemon/alerts/chat_formats.h"
#include "daemon/alerts/smtp_mailer.h"
#include "daemon/config/config.h"
#include "storage/alert_outbox.h"
#include "storage/database.h"
#include "wechatpay/http_transport.h"

namespace customsd {

struct AlertDelivererOptions {
  BackoffConfig backoff{std::chrono::seconds(5), std::chrono::minutes(10), 2.0};
  std::chrono::milliseconds interval{1000};           // between passes once started
  std::chrono::milliseconds webhook_timeout{10'000};  // one POST, whole request
  int batch = 100;                                    // alerts read per query
  std::string webhook_secret;  // the content of alerts.webhook_secret_file; "" = unsigned
  Mailer* mailer = nullptr;    // the email channel; nullptr = none. Outlives the deliverer.
  // Whether the database takes writes now (StorageHealth); nullptr = always. While it does not,
  // passes deliver nothing: a delivery that cannot be recorded would be sent again and again.
  std::function<bool()> database_writable;
};

class AlertDeliverer {
 public:
  // `db` is a connection of the deliverer's own. `config` is copied (a reload does not change
  // a running deliverer). All references must outlive the deliverer.
  AlertDeliverer(Database& db, const Config::Alerts& config, HttpTransport& transport,
                 const Clock& clock, Random& random, AlertCommandRunner& command_runner,
                 AlertDelivererOptions options = {});
  ~AlertDeliverer();
  AlertDeliverer(const AlertDeliverer&) = delete;
  AlertDeliverer& operator=(const AlertDeliverer&) = delete;

  // Attempts every pending alert due now, oldest first, each at most once (read `batch` at a
  // time); returns how many were delivered by this pass.
  int RunOnce();

  void Start();
  void Stop();

  // The fallback for an alert that cannot be stored (the database takes no writes): it is
  // logged at critical level and sent once to every channel from the deliverer's thread, with
  // no retry and no record. Returns at once; thread-safe. At most kMaxUnstored wait; more are
  // logged only.
  static constexpr size_t kMaxUnstored = 16;
  void SendWithoutDatabase(PendingAlert alert);

 private:
  struct Outcome {
    std::vector<std::string> done;      // channels that have accepted (now or before)
    std::vector<std::string> failures;  // "channel: reason"
  };
  using Send = std::function<Status(const std::string& channel)>;

  bool Deliver(const PendingAlert& alert);  // one attempt, recorded; true when delivered
  int DeliverDigest(const std::vector<PendingAlert>& held);
  void Hold(const PendingAlert& alert, int64_t now);  // for the digest
  bool Record(const PendingAlert& alert, const Outcome& outcome, int64_t now, bool quiet);
  std::vector<std::string> Channels() const;
  Status SendNotice(const std::string& channel, const AlertNotice& notice,
                    const std::vector<PendingAlert>& alerts, bool digest);
  Status PostWebhook(const AlertNotice& notice, const std::vector<PendingAlert>& alerts,
                     bool digest);
  int64_t NextDigestAt(int64_t now_ms) const;
  std::string HideSecrets(std::string text) const;
  void Loop();
  void SendUnstored(const std::vector<PendingAlert>& alerts);

  AlertOutbox outbox_;
  const Config::Alerts config_;
  WebhookTarget webhook_;
  HttpTransport& transport_;
  const Clock& clock_;
  Random& random_;
  AlertCommandRunner& command_runner_;
  const AlertDelivererOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};  // written under mu_, read without it between alerts
  std::vector<PendingAlert> unstored_;  // under mu_
  std::thread thread_;
};

}  // namespace customsd
