#include "daemon/alerts/chat_formats.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "daemon/alerts/webhook_signing.h"
#include "wechatpay/customs_client.h"

namespace customsd {
namespace {

using nlohmann::json;

std::string Dump(const json& j) {
  // replace: a stray invalid byte in a summary must not make the alert undeliverable.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Cut(const std::string& text, size_t limit) {
  return std::string(Utf8Prefix(text, limit));
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Lines as a markdown list of paragraphs: a blank line between them renders as line breaks
// in both WeCom and DingTalk, where a single "\n" may not.
std::string MarkdownBody(const AlertNotice& n) {
  std::string text = "### " + n.title + "\n";
  for (const std::string& line : n.lines) text += "\n" + line + "\n";
  return text;
}

std::string Wecom(const WebhookTarget& t, const AlertNotice& n) {
  std::string mentions;
  for (const std::string& m : t.mention) mentions += "<@" + m + ">";
  if (!mentions.empty()) mentions = "\n" + mentions;
  // The mentions go last and are kept whole when the text is cut.
  std::string content =
      Cut(MarkdownBody(n), kWecomMarkdownLimit - std::min(mentions.size(), kWecomMarkdownLimit)) +
      mentions;
  return Dump(json{{"msgtype", "markdown"}, {"markdown", {{"content", content}}}});
}

std::string Dingtalk(const WebhookTarget& t, const AlertNotice& n) {
  json mobiles = json::array(), users = json::array();
  bool all = false;
  std::string mentions;
  for (const std::string& m : t.mention) {
    if (m == "all") {
      all = true;
      continue;
    }
    (AllDigits(m) ? mobiles : users).push_back(m);
    mentions += "@" + m + " ";
  }
  if (!mentions.empty()) mentions = "\n" + mentions;
  std::string text = Cut(MarkdownBody(n), kChatMarkdownLimit) + mentions;
  return Dump(json{{"msgtype", "markdown"},
                   {"markdown", {{"title", Cut(n.title, 128)}, {"text", text}}},
                   {"at", {{"atMobiles", mobiles}, {"atUserIds", users}, {"isAtAll", all}}}});
}

std::string Feishu(const WebhookTarget& t, const AlertNotice& n, TimePoint now) {
  std::string content;
  for (const std::string& line : n.lines) content += (content.empty() ? "" : "\n") + line;
  content = Cut(content, kChatMarkdownLimit);
  std::string mentions;
  for (const std::string& m : t.mention) mentions += "<at id=" + m + "></at>";
  if (!mentions.empty()) content += "\n" + mentions;
  json body{
      {"msg_type", "interactive"},
      {"card",
       {{"header",
         {{"title", {{"tag", "plain_text"}, {"content", Cut(n.title, 256)}}}, {"template", "red"}}},
        {"elements",
         json::array({{{"tag", "div"}, {"text", {{"tag", "lark_md"}, {"content", content}}}}})}}}};
  if (!t.secret.empty()) {
    const int64_t seconds = UnixMillis(now) / 1000;
    body["timestamp"] = std::to_string(seconds);
    body["sign"] = FeishuSignature(t.secret, seconds);
  }
  return Dump(body);
}

std::string SlackEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Slack(const WebhookTarget& t, const AlertNotice& n) {
  std::string section;
  for (const std::string& line : n.lines) section += (section.empty() ? "" : "\n") + line;
  // Escaping can lengthen the text, so cut what it gives, on a UTF-8 boundary; an entity cut
  // in half would only show as text.
  json blocks = json::array(
      {{{"type", "header"},
        {"text", {{"type", "plain_text"}, {"text", Cut(n.title, kSlackHeaderLimit)}}}},
       {{"type", "section"},
        {"text", {{"type", "mrkdwn"}, {"text", Cut(SlackEscape(section), kSlackSectionLimit)}}}}});
  std::string mentions;
  for (const std::string& m : t.mention) {
    mentions += (mentions.empty() ? "" : " ") +
                ((m == "here" || m == "channel") ? "<!" + m + ">" : "<@" + m + ">");
  }
  if (!mentions.empty()) {
    blocks.push_back({{"type", "context"},
                      {"elements", json::array({{{"type", "mrkdwn"}, {"text", mentions}}})}});
  }
  const std::string fallback = SlackEscape(n.title + ": " + (n.lines.empty() ? "" : n.lines[0]));
  return Dump(json{{"text", Cut(fallback, kSlackSectionLimit)}, {"blocks", blocks}});
}

}  // namespace

HttpRequest WebhookRequest(const WebhookTarget& target, const AlertNotice& notice,
                           const std::vector<PendingAlert>& alerts, bool digest, TimePoint now) {
  HttpRequest request;
  request.method = "POST";
  request.url = target.url;
  request.headers = {{"Content-Type", "application/json"}};
  switch (target.format) {
    case WebhookFormat::kWecom:
      request.body = Wecom(target, notice);
      break;
    case WebhookFormat::kDingtalk:
      request.body = Dingtalk(target, notice);
      if (!target.secret.empty()) {
        const int64_t ms = UnixMillis(now);
        request.url += std::string(target.url.find('?') == std::string::npos ? "?" : "&") +
                       "timestamp=" + std::to_string(ms) +
                       "&sign=" + UrlEncode(DingtalkSignature(target.secret, ms));
      }
      break;
    case WebhookFormat::kFeishu:
      request.body = Feishu(target, notice, now);
      break;
    case WebhookFormat::kSlack:
      request.body = Slack(target, notice);
      break;
    case WebhookFormat::kGeneric:
      request.body = digest ? GenericDigestBody(alerts) : GenericAlertBody(alerts.front());
      break;
  }
  return request;
}

}  // namespace customsd
