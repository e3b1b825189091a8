#include "tests/daemon/alerts/chat_receivers.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <stdexcept>

namespace customsd::testing {
namespace {

using nlohmann::json;

constexpr char kWecomKey[] = "wecom-key-0123456789";
constexpr char kDingtalkToken[] = "dingtalk-token-0123456789";
constexpr char kFeishuHook[] = "feishu-hook-0123456789";
constexpr int64_t kHourMs = 3'600'000;

std::string HmacBase64(const std::string& key, const std::string& message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &size);
  std::string out(4 * ((size + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(size));
  return out;
}

// Characters, as Slack counts them (code points), of valid UTF-8.
size_t Characters(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsStringArray(const json& j) {
  if (!j.is_array()) return false;
  for (const json& item : j) {
    if (!item.is_string()) return false;
  }
  return true;
}

std::vector<std::string> Matches(const std::string& text, const std::regex& re) {
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

void Answer(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// Parses a JSON body the way every receiver does first; nullopt (and the answer set) if not.
std::optional<json> Body(const httplib::Request& req) {
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) return std::nullopt;
  json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

}  // namespace

ChatReceiver::ChatReceiver(ChatReceiverOptions options) : options_(std::move(options)) {
  http_.server().Post("/cgi-bin/webhook/send",
                      [this](const httplib::Request& req, httplib::Response& res) {
                        auto refuse = [&](int code, const std::string& why) {
                          Refuse("wecom: " + std::to_string(code) + " " + why);
                          Answer(res, 200, {{"errcode", code}, {"errmsg", why}});
                        };
                        if (req.get_param_value("key") != kWecomKey)
                          return refuse(93000, "invalid webhook url");
                        auto body = Body(req);
                        if (!body) return refuse(40008, "invalid json");
                        const std::string type = body->value("msgtype", "");
                        std::string text;
                        if (type == "markdown") {
                          const json& md = (*body)["markdown"];
                          if (!md.is_object() || !md["content"].is_string())
                            return refuse(40035, "missing markdown.content");
                          text = md["content"];
                          if (text.empty()) return refuse(40035, "markdown.content empty");
                          if (text.size() > 4096)
                            return refuse(40058, "markdown.content exceed max length 4096");
                        } else if (type == "text") {
                          const json& t = (*body)["text"];
                          if (!t.is_object() || !t["content"].is_string())
                            return refuse(40035, "missing text.content");
                          text = t["content"];
                          if (text.size() > 2048)
                            return refuse(40058, "text.content exceed max length 2048");
                        } else {
                          return refuse(40008, "invalid message type");
                        }
                        Accept({"wecom", *body, text, Matches(text, std::regex("<@([^>]+)>"))});
                        Answer(res, 200, {{"errcode", 0}, {"errmsg", "ok"}});
                      });

  http_.server().Post("/robot/send", [this](const httplib::Request& req, httplib::Response& res) {
    auto refuse = [&](int code, const std::string& why) {
      Refuse("dingtalk: " + std::to_string(code) + " " + why);
      Answer(res, 200, {{"errcode", code}, {"errmsg", why}});
    };
    if (req.get_param_value("access_token") != kDingtalkToken) {
      return refuse(300005, "token is not exist");
    }
    if (!options_.dingtalk_secret.empty()) {
      const std::string ts = req.get_param_value("timestamp");
      const std::string sign = req.get_param_value("sign");  // already URL-decoded
      if (ts.empty() || sign.empty()) return refuse(310000, "sign not match: missing");
      const int64_t when = std::strtoll(ts.c_str(), nullptr, 10);
      if (std::llabs(when - options_.now_ms()) > kHourMs)
        return refuse(310000, "invalid timestamp");
      if (sign != HmacBase64(options_.dingtalk_secret, ts + "\n" + options_.dingtalk_secret)) {
        return refuse(310000, "sign not match");
      }
    }
    auto body = Body(req);
    if (!body) return refuse(40035, "missing json");
    const std::string type = body->value("msgtype", "");
    std::string text;
    if (type == "markdown") {
      const json& md = (*body)["markdown"];
      if (!md.is_object() || !md["title"].is_string() || !md["text"].is_string()) {
        return refuse(40035, "missing markdown.title or markdown.text");
      }
      text = md["text"];
    } else if (type == "text") {
      if (!(*body)["text"].is_object() || !(*body)["text"]["content"].is_string()) {
        return refuse(40035, "missing text.content");
      }
      text = (*body)["text"]["content"];
    } else {
      return refuse(40035, "invalid msgtype");
    }
    if (!options_.dingtalk_keyword.empty() &&
        text.find(options_.dingtalk_keyword) == std::string::npos) {
      return refuse(310000, "keywords not in content");
    }
    std::vector<std::string> mentioned;
    if (body->contains("at")) {
      const json& at = (*body)["at"];
      if (!at.is_object()) return refuse(40035, "at must be an object");
      for (const char* list : {"atMobiles", "atUserIds"}) {
        if (!at.contains(list)) continue;
        if (!IsStringArray(at[list])) return refuse(40035, std::string(list) + " must be strings");
        for (const json& item : at[list]) {
          const std::string who = item;
          if (text.find("@" + who) != std::string::npos) mentioned.push_back(who);
        }
      }
      if (at.contains("isAtAll")) {
        if (!at["isAtAll"].is_boolean()) return refuse(40035, "isAtAll must be a bool");
        if (at["isAtAll"]) mentioned.push_back("all");
      }
    }
    Accept({"dingtalk", *body, text, mentioned});
    Answer(res, 200, {{"errcode", 0}, {"errmsg", "ok"}});
  });

  http_.server().Post(R"(/open-apis/bot/v2/hook/([^/]+))", [this](const httplib::Request& req,
                                                                  httplib::Response& res) {
    auto refuse = [&](int code, const std::string& why) {
      Refuse("feishu: " + std::to_string(code) + " " + why);
      Answer(res, 200, {{"code", code}, {"data", json::object()}, {"msg", why}});
    };
    if (req.matches[1] != kFeishuHook)
      return refuse(19001, "param invalid: incoming webhook access token invalid");
    if (req.body.size() > 20 * 1024) return refuse(9499, "request body too large");
    auto body = Body(req);
    if (!body) return refuse(9499, "Bad Request");
    if (!options_.feishu_secret.empty()) {
      const json& ts = (*body)["timestamp"];
      const json& sign = (*body)["sign"];
      std::string seconds = ts.is_string()   ? ts.get<std::string>()
                            : ts.is_number() ? std::to_string(ts.get<int64_t>())
                                             : "";
      if (seconds.empty() || !sign.is_string()) {
        return refuse(19021,
                      "sign match fail or timestamp is not within one hour from current time");
      }
      const int64_t when = std::strtoll(seconds.c_str(), nullptr, 10) * 1000;
      if (std::llabs(when - options_.now_ms()) > kHourMs ||
          sign != HmacBase64(seconds + "\n" + options_.feishu_secret, "")) {
        return refuse(19021,
                      "sign match fail or timestamp is not within one hour from current time");
      }
    }
    const std::string type = body->value("msg_type", "");
    std::string text;
    if (type == "interactive") {
      const json& card = (*body)["card"];
      if (!card.is_object() || !card["elements"].is_array())
        return refuse(11246, "card invalid: elements");
      for (const json& e : card["elements"]) {
        if (!e.is_object() || !e["tag"].is_string())
          return refuse(11246, "card invalid: element tag");
        if (e["tag"] == "div" && e.contains("text")) {
          const json& t = e["text"];
          if (!t.is_object() || !t["content"].is_string() ||
              (t["tag"] != "lark_md" && t["tag"] != "plain_text")) {
            return refuse(11246, "card invalid: div text");
          }
          text += t["content"].get<std::string>();
        }
      }
      if (card.contains("header")) {
        const json& title = card["header"]["title"];
        if (!title.is_object() || title["tag"] != "plain_text" || !title["content"].is_string()) {
          return refuse(11246, "card invalid: header title");
        }
      }
    } else if (type == "text") {
      if (!(*body)["content"].is_object() || !(*body)["content"]["text"].is_string()) {
        return refuse(19002, "params error: content.text");
      }
      text = (*body)["content"]["text"];
    } else if (type != "post" && type != "image" && type != "share_chat") {
      return refuse(19002, "params error: msg_type");
    }
    Accept({"feishu", *body, text, Matches(text, std::regex("<at id=([^>]+)></at>"))});
    Answer(res, 200, {{"code", 0}, {"data", json::object()}, {"msg", "success"}});
  });

  http_.server().Post("/services/T000/B000/XXXXXXXXXXXXXXXX", [this](const httplib::Request& req,
                                                                     httplib::Response& res) {
    auto refuse = [&](const std::string& why) {
      Refuse("slack: " + why);
      res.status = 400;
      res.set_content(why, "text/plain");
    };
    auto body = Body(req);
    if (!body) return refuse("invalid_payload");
    const bool has_text =
        (*body)["text"].is_string() && !(*body)["text"].get<std::string>().empty();
    const json& blocks = (*body)["blocks"];
    if (!has_text && !blocks.is_array()) return refuse("no_text");
    std::string text;
    if (blocks.is_array()) {
      if (blocks.empty() || blocks.size() > 50) return refuse("invalid_blocks");
      for (const json& b : blocks) {
        const std::string type = b.value("type", "");
        if (type == "header") {
          if (b["text"]["type"] != "plain_text" || !b["text"]["text"].is_string() ||
              Characters(b["text"]["text"]) > 150) {
            return refuse("invalid_blocks: header");
          }
        } else if (type == "section") {
          const json& t = b["text"];
          if (!t.is_object() || (t["type"] != "mrkdwn" && t["type"] != "plain_text") ||
              !t["text"].is_string() || Characters(t["text"]) < 1 || Characters(t["text"]) > 3000) {
            return refuse("invalid_blocks: section");
          }
          text += t["text"].get<std::string>();
        } else if (type == "context") {
          const json& e = b["elements"];
          if (!e.is_array() || e.empty() || e.size() > 10) return refuse("invalid_blocks: context");
          for (const json& item : e) {
            if (item["type"] != "mrkdwn" && item["type"] != "plain_text") {
              return refuse("invalid_blocks: context element");
            }
            text += "\n" + item["text"].get<std::string>();
          }
        } else if (type != "divider") {
          return refuse("invalid_blocks: type " + type);
        }
      }
    } else {
      text = (*body)["text"];
    }
    Accept({"slack", *body, text, Matches(text, std::regex("<[@!]([^>|]+)>"))});
    res.status = 200;
    res.set_content("ok", "text/plain");
  });

  http_.server().Post("/generic", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = Body(req);
    auto valid = [](const json& a) {
      return a.is_object() && a["id"].is_number_integer() && a["cause"].is_string() &&
             a["summary"].is_string() && a["details"].is_object() &&
             (a["mchid"].is_string() || a["mchid"].is_null()) &&
             (a["declaration_id"].is_number_integer() || a["declaration_id"].is_null()) &&
             a["created_at"].is_string();
    };
    bool ok = body.has_value();
    if (ok && body->contains("digest")) {
      ok = (*body)["alerts"].is_array() && (*body)["count"] == (*body)["alerts"].size();
      for (const json& a : ok ? (*body)["alerts"] : json::array()) ok = ok && valid(a);
    } else if (ok) {
      ok = valid(*body);
    }
    if (!ok) {
      Refuse("generic: fields missing or of the wrong type");
      res.status = 422;
      return;
    }
    Accept({"generic", *body, body->value("summary", ""), {}});
    res.status = 204;
  });

  http_.Start();
}

std::string ChatReceiver::Url(const std::string& route) const {
  const std::string base = "http://127.0.0.1:" + std::to_string(http_.port());
  if (route == "wecom") return base + "/cgi-bin/webhook/send?key=" + kWecomKey;
  if (route == "dingtalk") return base + "/robot/send?access_token=" + kDingtalkToken;
  if (route == "feishu") return base + "/open-apis/bot/v2/hook/" + kFeishuHook;
  if (route == "slack") return base + "/services/T000/B000/XXXXXXXXXXXXXXXX";
  return base + "/generic";
}

std::vector<ChatMessage> ChatReceiver::accepted() const {
  std::lock_guard lock(mu_);
  return accepted_;
}

std::vector<std::string> ChatReceiver::refusals() const {
  std::lock_guard lock(mu_);
  return refusals_;
}

void ChatReceiver::Accept(ChatMessage m) {
  std::lock_guard lock(mu_);
  accepted_.push_back(std::move(m));
}

void ChatReceiver::Refuse(const std::string& why) {
  std::lock_guard lock(mu_);
  refusals_.push_back(why);
}

}  // namespace customsd::testing
