#include "daemon/alerts/alert_deliverer.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace customsd {
namespace {

constexpr char kWebhook[] = "webhook";
constexpr char kCommand[] = "command";
constexpr size_t kLastErrorLimit = 1000;
// Path and query pieces at least this long are hidden from error texts: tokens are long, and
// short pieces ("hook", "v1") would only make messages harder to read if replaced.
constexpr size_t kSecretPieceMin = 8;

std::string DeliveredPrefix(const std::string& channel) { return "delivered to " + channel + "; "; }

void ReplaceAll(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at)) {
    text.replace(at, what.size(), with);
    at += with.size();
  }
}

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

std::string Seconds(std::chrono::milliseconds d) {
  return std::to_string(d.count() / 1000) + "." + std::to_string(d.count() % 1000 / 100) + "s";
}

}  // namespace

AlertDeliverer::AlertDeliverer(Database& db, const Config::Alerts& config, HttpTransport& transport,
                               const Clock& clock, Random& random,
                               AlertCommandRunner& command_runner, AlertDelivererOptions options)
    : outbox_(db),
      config_(config),
      // The config is validated before it gets here; generic is the safe reading otherwise.
      format_(ParseWebhookFormat(config.webhook_format).value_or(WebhookFormat::kGeneric)),
      transport_(transport),
      clock_(clock),
      random_(random),
      command_runner_(command_runner),
      options_(options) {}

AlertDeliverer::~AlertDeliverer() { Stop(); }

int AlertDeliverer::RunOnce() {
  int delivered = 0;
  int64_t after_id = 0;
  for (;;) {
    // `now` is read per batch, and the cursor keeps an alert whose retry drew a zero delay
    // from being tried twice in one pass.
    auto due = outbox_.Due(UnixMillis(clock_.Now()), options_.batch, after_id);
    if (!due.ok()) {
      spdlog::warn("alerts: cannot read the outbox: {}", due.status().message());
      return delivered;
    }
    for (const PendingAlert& alert : *due) {
      if (stop_) return delivered;
      if (Deliver(alert)) ++delivered;
      after_id = alert.id;
    }
    if (static_cast<int>(due->size()) < options_.batch) return delivered;
  }
}

bool AlertDeliverer::Deliver(const PendingAlert& alert) {
  if (alert.attempts == 0) spdlog::error("alert {} ({}): {}", alert.id, alert.cause, alert.summary);
  std::vector<std::string> done;
  std::vector<std::string> failures;
  auto attempt = [&](const std::string& channel, auto send) {
    if (alert.last_error.starts_with(DeliveredPrefix(channel))) {
      done.push_back(channel);  // accepted in an earlier attempt: not sent twice
      return;
    }
    Status s = send();
    if (s.ok()) {
      done.push_back(channel);
    } else {
      failures.push_back(channel + ": " + s.message());
    }
  };
  if (!config_.webhook_url.empty()) attempt(kWebhook, [&] { return PostWebhook(alert); });
  if (!config_.command.empty()) {
    attempt(kCommand, [&] { return command_runner_.Run(config_.command, alert); });
  }

  const int64_t now = UnixMillis(clock_.Now());
  const int attempts = alert.attempts + 1;
  if (failures.empty()) {
    if (Status s = outbox_.MarkDelivered(alert.id, now); !s.ok()) {
      spdlog::error("alert {}: delivered, but cannot record it: {}", alert.id, s.message());
      return false;
    }
    spdlog::info("alert {}: delivered {}(attempt {})", alert.id,
                 done.empty() ? "to the log only " : "by " + Join(done, " and ") + " ", attempts);
    return true;
  }
  // With two channels at most, `done` holds at most one when something failed.
  std::string last_error =
      (done.empty() ? "" : DeliveredPrefix(done.front())) + HideWebhookUrl(Join(failures, "; "));
  last_error = std::string(Utf8Prefix(last_error, kLastErrorLimit));
  const std::chrono::milliseconds delay = FullJitter(options_.backoff, attempts, random_);
  Status s = outbox_.ScheduleRetry(alert.id, attempts, now + delay.count(), last_error);
  if (!s.ok()) {
    spdlog::error("alert {}: cannot record a failed attempt: {}", alert.id, s.message());
    return false;
  }
  spdlog::warn("alert {}: attempt {} failed: {}; next attempt in {}", alert.id, attempts,
               last_error, Seconds(delay));
  return false;
}

Status AlertDeliverer::PostWebhook(const PendingAlert& alert) {
  HttpRequest request;
  request.method = "POST";
  request.url = config_.webhook_url;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = WebhookBody(alert, format_);
  request.timeout = options_.webhook_timeout;
  TransportResult result = transport_.Send(request);
  if (!result.ok()) return Status::Unavailable(result.error->message);
  return CheckWebhookAnswer(*result.response, format_);
}

std::string AlertDeliverer::HideWebhookUrl(std::string text) const {
  const std::string& url = config_.webhook_url;
  ReplaceAll(text, url, "[webhook URL]");
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return text;
  const size_t host_start = scheme + 3;
  const size_t path_start = std::min(url.find_first_of("/?#", host_start), url.size());
  const std::string_view authority =
      std::string_view(url).substr(host_start, path_start - host_start);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    ReplaceAll(text, authority.substr(0, at), "[hidden]");  // user:password
  }
  const std::string_view tail = std::string_view(url).substr(path_start);
  if (tail.size() > 1) ReplaceAll(text, tail, "[hidden]");
  size_t begin = 0;
  while (begin < tail.size()) {
    size_t end = std::min(tail.find_first_of("/?&=#", begin), tail.size());
    if (end - begin >= kSecretPieceMin) {
      ReplaceAll(text, tail.substr(begin, end - begin), "[hidden]");
    }
    begin = end + 1;
  }
  return text;
}

void AlertDeliverer::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void AlertDeliverer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  command_runner_.Cancel();
  thread_.join();
}

void AlertDeliverer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    RunOnce();
    lock.lock();
    // A deadline, not a sleep: Stop() wakes this at once.
    cv_.wait_until(lock, std::chrono::steady_clock::now() + options_.interval,
                   [this] { return stop_.load(); });
  }
}

}  // namespace customsd
