// AlertDeliverer: delivers the alerts outbox (storage/alert_outbox.h) to the operators.
//
// Contract
//  - Every alert is logged once at error level ("alert 7 (FAIL): <summary>") the first time it
//    is attempted (attempts = 0), whatever the channels. With neither alerts.webhook_url nor
//    alerts.command configured, that line is the delivery and the alert is marked delivered.
//  - Webhook: POST of WebhookBody (daemon/alerts/alert_message.h) with Content-Type
//    application/json; accepted per CheckWebhookAnswer (2xx, and errcode 0 for WeCom/DingTalk).
//    A transport error or any other answer fails the attempt. Command: AlertCommandRunner.
//  - An alert is delivered when every configured channel has accepted it. Each channel is
//    remembered separately, so a channel that already succeeded is not repeated while the
//    other is retried: when one of two channels failed, last_error starts with
//    "delivered to webhook; " (or "delivered to command; ") followed by the other's failure,
//    e.g. "delivered to webhook; command: exited with status 1". Keeping this in last_error
//    (rather than a new column) keeps the schema as it is and stays readable in sqlite3. The
//    memory is per channel kind: after a config change to another webhook_url, alerts the old
//    receiver accepted are not sent to the new one.
//  - A failed attempt is retried with exponential backoff and full jitter (5 s initial, doubling,
//    capped at 10 min), without an attempt limit: nothing is ever dropped. Attempts,
//    next_attempt_at and last_error are in the table, so retries survive restarts.
//  - Delivery is at least once: a crash (or Stop) between a receiver's acceptance and the
//    database update sends that channel again on the next start.
//  - The webhook URL is never logged or stored (it carries tokens): messages say "webhook",
//    and the URL and its long path/query parts are scrubbed from error texts before use.
//
// Threads: RunOnce runs on the caller's thread; Start() runs it every `interval` on a thread of
// its own, so a slow receiver never blocks the workflow. While started, do not call RunOnce
// from elsewhere (the Database, Random and runner are used unsynchronised). Stop() is prompt:
// it wakes the waiting thread, cancels the command runner (a running command is killed and
// retried later) and stops between alerts; a webhook request in progress finishes or times
// out (webhook_timeout), unless the owner aborts the transport first (CurlTransport::AbortAll).
// Start and Stop are meant to be called once each; the destructor calls Stop.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "daemon/alerts/alert_command.h"
#include "daemon/alerts/alert_message.h"
#include "daemon/config.h"
#include "daemon/workflow/backoff.h"
#include "storage/alert_outbox.h"
#include "storage/database.h"
#include "wechatpay/http_transport.h"

namespace customsd {

struct AlertDelivererOptions {
  BackoffConfig backoff{std::chrono::seconds(5), std::chrono::minutes(10), 2.0};
  std::chrono::milliseconds interval{1000};           // between passes once started
  std::chrono::milliseconds webhook_timeout{10'000};  // one POST, whole request
  int batch = 100;                                    // alerts read per query
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

 private:
  bool Deliver(const PendingAlert& alert);  // one attempt, recorded; true when delivered
  Status PostWebhook(const PendingAlert& alert);
  std::string HideWebhookUrl(std::string text) const;
  void Loop();

  AlertOutbox outbox_;
  const Config::Alerts config_;
  const WebhookFormat format_;
  HttpTransport& transport_;
  const Clock& clock_;
  Random& random_;
  AlertCommandRunner& command_runner_;
  const AlertDelivererOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};  // written under mu_, read without it between alerts
  std::thread thread_;
};

}  // namespace customsd
