#include "daemon/alerts/alert_deliverer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

namespace customsd {
namespace {

constexpr char kWebhook[] = "webhook";
constexpr char kEmail[] = "email";
constexpr char kCommand[] = "command";
constexpr char kDeliveredTo[] = "delivered to ";
constexpr char kAnd[] = " and ";
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr size_t kLastErrorLimit = 1000;
// Path and query pieces at least this long are hidden from error texts: tokens are long, and
// short pieces ("hook", "v1") would only make messages harder to read if replaced.
constexpr size_t kSecretPieceMin = 8;

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

// The channels an earlier attempt recorded as accepted ("delivered to webhook and email; ...").
std::vector<std::string> AlreadyDone(const std::string& last_error) {
  std::vector<std::string> done;
  if (!last_error.starts_with(kDeliveredTo)) return done;
  const size_t end = last_error.find("; ");
  if (end == std::string::npos) return done;
  std::string_view list = std::string_view(last_error).substr(sizeof(kDeliveredTo) - 1);
  list = list.substr(0, end - (sizeof(kDeliveredTo) - 1));
  for (size_t at; (at = list.find(kAnd)) != std::string_view::npos;) {
    done.emplace_back(list.substr(0, at));
    list.remove_prefix(at + sizeof(kAnd) - 1);
  }
  done.emplace_back(list);
  return done;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string JoinLines(const AlertNotice& notice) {
  std::string text;
  for (const std::string& line : notice.lines) text += line + "\n";
  return text;
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
      webhook_{config.webhook_url,
               ParseWebhookFormat(config.webhook_format).value_or(WebhookFormat::kGeneric),
               options.webhook_secret, config.mention},
      transport_(transport),
      clock_(clock),
      random_(random),
      command_runner_(command_runner),
      options_(std::move(options)) {}

AlertDeliverer::~AlertDeliverer() { Stop(); }

std::vector<std::string> AlertDeliverer::Channels() const {
  std::vector<std::string> channels;
  if (!config_.webhook_url.empty()) channels.push_back(kWebhook);
  if (options_.mailer != nullptr) channels.push_back(kEmail);
  if (!config_.command.empty()) channels.push_back(kCommand);
  return channels;
}

int AlertDeliverer::RunOnce() {
  if (options_.database_writable && !options_.database_writable()) return 0;
  int delivered = 0;
  int sent_alone = 0;
  int64_t after_id = 0;
  std::vector<PendingAlert> held;
  const bool flood_control = config_.digest == "daily" && !Channels().empty();
  std::optional<int64_t> recent;  // delivered alone in the last hour, read once per pass
  for (;;) {
    // `now` is read per batch, and the cursor keeps an alert whose retry drew a zero delay
    // from being tried twice in one pass.
    const int64_t now = UnixMillis(clock_.Now());
    auto due = outbox_.Due(now, options_.batch, after_id);
    if (!due.ok()) {
      spdlog::warn("alerts: cannot read the outbox: {}", due.status().message());
      return delivered;
    }
    for (const PendingAlert& alert : *due) {
      if (stop_) return delivered;
      after_id = alert.id;
      if (alert.in_digest) {
        held.push_back(alert);
        continue;
      }
      if (flood_control && alert.attempts == 0) {
        if (!recent) {
          // Unreadable: count it as reached, so a flood is held rather than sent.
          auto n = outbox_.DeliveredAloneSince(now - kHourMs);
          recent = n.ok() ? *n : config_.flood_limit;
        }
        if (*recent + sent_alone >= config_.flood_limit) {
          Hold(alert, now);
          continue;
        }
      }
      if (Deliver(alert)) {
        ++delivered;
        ++sent_alone;
      }
    }
    if (static_cast<int>(due->size()) < options_.batch) break;
  }
  if (!held.empty() && !stop_) delivered += DeliverDigest(held);
  return delivered;
}

void AlertDeliverer::Hold(const PendingAlert& alert, int64_t now) {
  spdlog::error("alert {} ({}): {}", alert.id, alert.cause, alert.summary);
  const std::string note = "held for the daily digest at " + config_.digest_at +
                           " UTC: the flood limit (" + std::to_string(config_.flood_limit) +
                           " alerts an hour) was reached";
  const int64_t at = NextDigestAt(now);
  if (Status s = outbox_.DeferToDigest(alert.id, at, note); !s.ok()) {
    spdlog::error("alert {}: cannot hold it for the digest: {}", alert.id, s.message());
    return;
  }
  spdlog::warn("alert {}: {}", alert.id, note);
}

int64_t AlertDeliverer::NextDigestAt(int64_t now_ms) const {
  const int minutes = std::stoi(config_.digest_at.substr(0, 2)) * 60 +
                      std::stoi(config_.digest_at.substr(3, 2));
  const int64_t at = now_ms - now_ms % kDayMs + minutes * int64_t{60'000};
  return at > now_ms ? at : at + kDayMs;
}

bool AlertDeliverer::Deliver(const PendingAlert& alert) {
  if (alert.attempts == 0) spdlog::error("alert {} ({}): {}", alert.id, alert.cause, alert.summary);
  const AlertNotice notice = NoticeFor(alert);
  const std::vector<std::string> before = AlreadyDone(alert.last_error);
  Outcome outcome;
  for (const std::string& channel : Channels()) {
    if (Contains(before, channel)) {
      outcome.done.push_back(channel);  // accepted in an earlier attempt: not sent twice
      continue;
    }
    Status s = SendNotice(channel, notice, {alert}, /*digest=*/false);
    if (s.ok()) {
      outcome.done.push_back(channel);
    } else {
      outcome.failures.push_back(channel + ": " + s.message());
    }
  }
  return Record(alert, outcome, UnixMillis(clock_.Now()), /*quiet=*/false);
}

int AlertDeliverer::DeliverDigest(const std::vector<PendingAlert>& held) {
  std::map<int64_t, Outcome> outcomes;
  for (const std::string& channel : Channels()) {
    std::vector<PendingAlert> todo;
    for (const PendingAlert& a : held) {
      if (Contains(AlreadyDone(a.last_error), channel)) {
        outcomes[a.id].done.push_back(channel);
      } else {
        todo.push_back(a);
      }
    }
    if (todo.empty()) continue;
    Status s = SendNotice(channel, DigestNotice(todo), todo, /*digest=*/true);
    for (const PendingAlert& a : todo) {
      if (s.ok()) {
        outcomes[a.id].done.push_back(channel);
      } else {
        outcomes[a.id].failures.push_back(channel + ": " + s.message());
      }
    }
  }
  const int64_t now = UnixMillis(clock_.Now());
  int delivered = 0;
  for (const PendingAlert& a : held) {
    if (Record(a, outcomes[a.id], now, /*quiet=*/true)) ++delivered;
  }
  spdlog::info("alerts: digest of {} held alert(s): {} delivered", held.size(), delivered);
  return delivered;
}

bool AlertDeliverer::Record(const PendingAlert& alert, const Outcome& outcome, int64_t now,
                            bool quiet) {
  const int attempts = alert.attempts + 1;
  if (outcome.failures.empty()) {
    if (Status s = outbox_.MarkDelivered(alert.id, now); !s.ok()) {
      spdlog::error("alert {}: delivered, but cannot record it: {}", alert.id, s.message());
      return false;
    }
    if (!quiet) {
      spdlog::info("alert {}: delivered {}(attempt {})", alert.id,
                   outcome.done.empty() ? "to the log only "
                                        : "by " + Join(outcome.done, kAnd) + " ",
                   attempts);
    }
    return true;
  }
  std::string last_error = (outcome.done.empty() ? "" : kDeliveredTo + Join(outcome.done, kAnd) + "; ") +
                           HideSecrets(Join(outcome.failures, "; "));
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

Status AlertDeliverer::SendNotice(const std::string& channel, const AlertNotice& notice,
                                  const std::vector<PendingAlert>& alerts, bool digest) {
  if (channel == kWebhook) return PostWebhook(notice, alerts, digest);
  if (channel == kEmail) return options_.mailer->Send({notice.title, JoinLines(notice)});
  if (!digest) return command_runner_.Run(config_.command, alerts.front());
  // One run per digest, not one per alert: the flood limit holds for scripts too.
  PendingAlert summary;
  summary.cause = "digest";
  summary.summary = notice.title;
  summary.details = GenericDigestBody(alerts);
  summary.created_at = UnixMillis(clock_.Now());
  return command_runner_.Run(config_.command, summary);
}

Status AlertDeliverer::PostWebhook(const AlertNotice& notice,
                                   const std::vector<PendingAlert>& alerts, bool digest) {
  HttpRequest request = WebhookRequest(webhook_, notice, alerts, digest, clock_.Now());
  request.timeout = options_.webhook_timeout;
  TransportResult result = transport_.Send(request);
  if (!result.ok()) return Status::Unavailable(result.error->message);
  return CheckWebhookAnswer(*result.response, webhook_.format);
}

std::string AlertDeliverer::HideSecrets(std::string text) const {
  if (!webhook_.secret.empty()) ReplaceAll(text, webhook_.secret, "[hidden]");
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

void AlertDeliverer::SendWithoutDatabase(PendingAlert alert) {
  spdlog::critical("alert ({}): {} (not stored: the database takes no writes)", alert.cause,
                   alert.summary);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (unstored_.size() >= kMaxUnstored) return;
    unstored_.push_back(std::move(alert));
  }
  cv_.notify_all();
}

void AlertDeliverer::SendUnstored(const std::vector<PendingAlert>& alerts) {
  for (const PendingAlert& alert : alerts) {
    const AlertNotice notice = NoticeFor(alert);
    for (const std::string& channel : Channels()) {
      if (stop_) return;
      if (Status s = SendNotice(channel, notice, {alert}, /*digest=*/false); !s.ok()) {
        spdlog::error("alert ({}): {} refused the unstored alert: {}", alert.cause, channel,
                      HideSecrets(s.message()));
      }
    }
  }
}

void AlertDeliverer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    std::vector<PendingAlert> unstored;
    unstored.swap(unstored_);
    lock.unlock();
    SendUnstored(unstored);
    RunOnce();
    lock.lock();
    // A deadline, not a sleep: Stop() wakes this at once, SendWithoutDatabase too.
    cv_.wait_until(lock, std::chrono::steady_clock::now() + options_.interval,
                   [this] { return stop_.load() || !unstored_.empty(); });
  }
}

}  // namespace customsd
