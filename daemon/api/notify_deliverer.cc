#include "daemon/api/notify_deliverer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>

#include "common/time_format.h"
#include "daemon/api/record_json.h"
#include "daemon/config/secret_files.h"
#include "storage/declaration_store.h"

namespace customsd {
namespace {

std::string WithoutQuery(const std::string& url) { return url.substr(0, url.find_first_of("?#")); }

}  // namespace

StatusOr<std::vector<NotifyReceiver>> ReceiversFromConfig(const Config& config) {
  std::vector<NotifyReceiver> out;
  for (const Config::Notify& n : config.notify) {
    auto secret = ReadLineSecretFile(n.secret_file, n.config_key + ".secret_file");
    if (!secret.ok()) return secret.status();
    out.push_back({WithoutQuery(n.url), n.url, *secret, {n.events.begin(), n.events.end()}});
  }
  return out;
}

std::string NotificationSignature(std::string_view secret, int64_t unix_seconds,
                                  std::string_view body) {
  const std::string message = std::to_string(unix_seconds) + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "v1=";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

NotifyDeliverer::NotifyDeliverer(Database& db, HttpTransport& transport, const Clock& clock,
                                 Random& random, std::vector<NotifyReceiver> receivers,
                                 NotifyOptions options)
    : db_(db),
      transport_(transport),
      clock_(clock),
      random_(random),
      receivers_(std::move(receivers)),
      options_(options) {}

NotifyDeliverer::~NotifyDeliverer() { Stop(); }

int NotifyDeliverer::RunOnce() {
  int delivered = 0;
  for (const NotifyReceiver& r : receivers_) delivered += Deliver(r);
  return delivered;
}

nlohmann::json NotificationJson(const Notification& n, const DeclarationRecord* record) {
  return {{"event_id", n.event_id},
          {"type", n.type},
          {"created_at", FormatRfc3339(n.at)},
          {"declaration", record != nullptr ? RecordToJson(*record) : nlohmann::json(nullptr)}};
}

std::string NotifyDeliverer::Body(const Notification& n) {
  DeclarationStore store(db_, clock_);
  auto record = store.Get(n.declaration_id);
  return NotificationJson(n, record.ok() ? &*record : nullptr)
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int NotifyDeliverer::Deliver(const NotifyReceiver& r) {
  auto cursor = OpenCursor(db_, r.key);
  if (!cursor.ok()) return 0;
  const int64_t now_ms = UnixMillis(clock_.Now());
  if (cursor->next_attempt_at > now_ms) return 0;
  auto batch = ReadNotifications(db_, cursor->delivered_event_id, options_.batch);
  if (!batch.ok()) return 0;
  int delivered = 0;
  int64_t skipped_to = 0;  // notifications of types this receiver does not take
  for (const Notification& n : *batch) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) break;
    }
    if (!r.events.empty() && r.events.count(n.type) == 0) {
      skipped_to = n.event_id;
      continue;
    }
    const std::string body = Body(n);
    const int64_t ts = UnixMillis(clock_.Now()) / 1000;
    HttpRequest request{"POST",
                        r.url,
                        {{"Content-Type", "application/json"},
                         {"Customsd-Event-Id", std::to_string(n.event_id)},
                         {"Customsd-Timestamp", std::to_string(ts)},
                         {"Customsd-Signature", NotificationSignature(r.secret, ts, body)}},
                        body,
                        options_.timeout};
    TransportResult result = transport_.Send(request);
    const bool ok = result.ok() && result.response->status / 100 == 2;
    if (!ok) {
      const std::string why = result.ok()
                                  ? "answered HTTP " + std::to_string(result.response->status)
                                  : result.error->message;
      const int failures = cursor->failures + 1;
      const int64_t next =
          UnixMillis(clock_.Now()) + FullJitter(options_.backoff, failures, random_).count();
      if (skipped_to > 0) (void)MarkDelivered(db_, r.key, skipped_to);
      (void)MarkFailed(db_, r.key, failures, next, why);
      spdlog::warn("notify {}: event {} not delivered ({}); attempt {} failed, next in {} ms",
                   r.key, n.event_id, why, failures, next - UnixMillis(clock_.Now()));
      return delivered;
    }
    if (Status s = MarkDelivered(db_, r.key, n.event_id); !s.ok()) return delivered;
    cursor->failures = 0;
    skipped_to = 0;
    ++delivered;
  }
  if (skipped_to > 0) (void)MarkDelivered(db_, r.key, skipped_to);
  return delivered;
}

void NotifyDeliverer::Start() {
  if (receivers_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      woken_ = false;
      lock.unlock();
      int delivered = RunOnce();
      lock.lock();
      // A full batch means more are waiting: go on at once.
      if (delivered >= options_.batch) continue;
      cv_.wait_for(lock, options_.interval, [this] { return stop_ || woken_; });
    }
  });
}

void NotifyDeliverer::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

void NotifyDeliverer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace customsd
