// NotifyDeliverer: result notifications to the order system ([[notify]]), from the outbox
// that is the events table (storage/notification_feed.h).
//
// Contract:
//  - Each receiver gets every notification (of its `events` types; all when empty) from its
//    cursor on, one POST each, strictly in event order, so a declaration's are in order too.
//    The next is sent only after the previous was answered 2xx; the cursor moves after each.
//  - The POST: Content-Type application/json; Customsd-Event-Id (the events.id);
//    Customsd-Timestamp (Unix seconds); Customsd-Signature "v1=" + lower-case hex of
//    HMAC-SHA256 keyed with the secret file's content (one trailing newline stripped) over
//    "<timestamp>.<body>". The body: {"event_id", "type", "created_at", "declaration"} where
//    the declaration is as `customsd show --json` prints it when the notification is sent.
//  - At least once: a crash between the 2xx and the cursor's write sends that one again; a
//    receiver dedupes by event_id. A failure (transport error, non-2xx) is retried with full
//    jitter backoff (1 s initial, doubling, capped at 5 min), without limit; failures, the next
//    attempt and the last error are in notify_cursors, so they survive restarts.
//  - The URL's query and the secret are never logged or stored (error texts name the receiver
//    by scheme, host and path).
//
// Threads: RunOnce on the caller's thread; Start() runs it on its own thread every `interval`
// and at once after Wake() (a state change the engine just committed). Stop() is prompt
// between requests; a request in progress finishes or times out.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/backoff.h"
#include "common/clock.h"
#include "daemon/config/config.h"
#include "storage/database.h"
#include "storage/declaration_record.h"
#include "storage/notification_feed.h"
#include "wechatpay/http_transport.h"

namespace customsd {

struct NotifyReceiver {
  std::string key;  // the URL without its query: the cursor's name and what messages say
  std::string url;
  std::string secret;            // the HMAC key
  std::set<std::string> events;  // empty = every type
};

// The receivers of the config, their secrets read (errors name notify[i].secret_file).
StatusOr<std::vector<NotifyReceiver>> ReceiversFromConfig(const Config& config);

// The body of a notification: {"event_id", "type", "created_at", "declaration"}, the
// declaration as `show --json` prints it (null when `record` is absent). `customsd events
// --json` prints the same objects.
nlohmann::json NotificationJson(const Notification& n, const DeclarationRecord* record);

// "v1=<64 hex>": the Customsd-Signature of `body` sent at `unix_seconds`.
std::string NotificationSignature(std::string_view secret, int64_t unix_seconds,
                                  std::string_view body);

struct NotifyOptions {
  BackoffConfig backoff{std::chrono::seconds(1), std::chrono::minutes(5), 2.0};
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{10'000};
  int batch = 100;
};

class NotifyDeliverer {
 public:
  // `db` is a connection of the deliverer's own; all must outlive it.
  NotifyDeliverer(Database& db, HttpTransport& transport, const Clock& clock, Random& random,
                  std::vector<NotifyReceiver> receivers, NotifyOptions options = {});
  ~NotifyDeliverer();

  // One pass over every receiver that is due; returns how many notifications were delivered.
  int RunOnce();

  void Start();
  void Wake();
  void Stop();

 private:
  int Deliver(const NotifyReceiver& r);
  std::string Body(const Notification& n);

  Database& db_;
  HttpTransport& transport_;
  const Clock& clock_;
  Random& random_;
  std::vector<NotifyReceiver> receivers_;
  NotifyOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, woken_ = false;
};

}  // namespace customsd
