#include "daemon/alerts/alert_notice.h"

#include <map>

#include "common/time_format.h"
#include "daemon/alerts/alert_message.h"

namespace customsd {
namespace {

// A digest line stays short enough that twenty of them fit every chat format's limit.
constexpr size_t kDigestSummaryBytes = 160;

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

std::string Title(const PendingAlert& alert) {
  std::string title = "customsd alert " + std::to_string(alert.id) + ": " + alert.cause;
  if (alert.declaration_id) title += ", declaration " + std::to_string(*alert.declaration_id);
  return title;
}

}  // namespace

AlertNotice NoticeFor(const PendingAlert& alert) {
  AlertNotice n{Title(alert), {OneLine(alert.summary)}};
  if (!alert.mchid.empty()) n.lines.push_back("merchant: " + alert.mchid);
  if (alert.declaration_id) {
    const std::string id = std::to_string(*alert.declaration_id);
    n.lines.push_back("declaration: " + id + " (customsd show " + id + ")");
  }
  n.lines.push_back("raised: " + FormatRfc3339(alert.created_at));
  n.lines.push_back("acknowledge: customsd alerts ack " + std::to_string(alert.id));
  return n;
}

AlertNotice DigestNotice(const std::vector<PendingAlert>& alerts) {
  AlertNotice n;
  n.title = "customsd digest: " + std::to_string(alerts.size()) + " alert" +
            (alerts.size() == 1 ? "" : "s") + " held back by the flood limit";
  std::map<std::string, int> by_cause;
  for (const PendingAlert& a : alerts) ++by_cause[a.cause];
  std::string counts;
  for (const auto& [cause, count] : by_cause) {
    counts += (counts.empty() ? "" : ", ") + cause + ": " + std::to_string(count);
  }
  n.lines.push_back("by cause: " + counts);
  for (size_t i = 0; i < alerts.size() && i < kDigestListed; ++i) {
    const PendingAlert& a = alerts[i];
    std::string line = "#" + std::to_string(a.id) + " " + a.cause;
    if (a.declaration_id) line += " (declaration " + std::to_string(*a.declaration_id) + ")";
    line += ": " + std::string(Utf8Prefix(OneLine(a.summary), kDigestSummaryBytes));
    n.lines.push_back(std::move(line));
  }
  if (alerts.size() > kDigestListed) {
    n.lines.push_back("... and " + std::to_string(alerts.size() - kDigestListed) + " more");
  }
  n.lines.push_back("all of them: customsd alerts --all --since " +
                    FormatRfc3339(alerts.empty() ? 0 : alerts.front().created_at));
  return n;
}

}  // namespace customsd
