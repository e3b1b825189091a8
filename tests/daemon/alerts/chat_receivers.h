// Loopback stand-ins for the chat robots' webhooks, each validating a request the way the
// receiver's own documentation says the real one does, and refusing the way it refuses:
//  - WeCom group robot (/cgi-bin/webhook/send?key=): msgtype text|markdown; markdown.content a
//    non-empty string of at most 4096 bytes, text.content at most 2048; refusals are 200 with
//    {"errcode": N != 0}. Mentions: "<@userid>" in markdown.
//  - DingTalk custom robot (/robot/send?access_token=): with a secret, timestamp (ms, within an
//    hour of the receiver's clock) and sign = urlencoded base64 HmacSHA256(key = secret,
//    "timestamp\nsecret") in the query, else errcode 310000; a configured keyword must be in
//    the content; markdown needs title and text strings; at.atMobiles / at.atUserIds arrays of
//    strings and at.isAtAll a bool. A mention shows only when "@<mobile or userId>" is in the
//    text too.
//  - Feishu/Lark custom bot (/open-apis/bot/v2/hook/<id>): with a secret, body "timestamp"
//    (seconds, within an hour) and "sign" = base64 HmacSHA256(key = "timestamp\nsecret", ""),
//    else code 19021; msg_type text|post|interactive|...; interactive needs a card with an
//    elements array; body at most 20 KB; answers {"code":0,"msg":"success","data":{}}.
//    Mentions: "<at id=...></at>" in lark_md.
//  - Slack incoming webhook (/services/T/B/X): text or blocks; at most 50 blocks of known types;
//    header plain_text at most 150 characters; section text (mrkdwn|plain_text) 1-3000
//    characters; context 1-10 elements; refusals are 400 "invalid_blocks" / "no_text".
//  - Generic (/generic): the fields alert_message.h promises, with their JSON types.
// The receiver's signature checks are its own code from the documents, not customsd's signer.
#pragma once

#include <httplib.h>

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/loopback_server.h"

namespace customsd::testing {

struct ChatReceiverOptions {
  std::string dingtalk_secret;  // "" = the robot is not signed
  std::string dingtalk_keyword;
  std::string feishu_secret;
  std::function<int64_t()> now_ms;  // the receiver's clock, for the one-hour window
};

struct ChatMessage {
  std::string route;  // "wecom", "dingtalk", "feishu", "slack", "generic"
  nlohmann::json body;
  std::string text;                    // what a reader sees (content / text / lark_md)
  std::vector<std::string> mentioned;  // whom the receiver would notify
};

class ChatReceiver {
 public:
  explicit ChatReceiver(ChatReceiverOptions options);
  ChatReceiver(const ChatReceiver&) = delete;
  ChatReceiver& operator=(const ChatReceiver&) = delete;

  // The webhook URL for a route, with the token the real one carries.
  std::string Url(const std::string& route) const;
  std::vector<ChatMessage> accepted() const;
  std::vector<std::string> refusals() const;  // one line per refused request: why

 private:
  void Accept(ChatMessage m);
  void Refuse(const std::string& why);

  const ChatReceiverOptions options_;
  mutable std::mutex mu_;
  std::vector<ChatMessage> accepted_;
  std::vector<std::string> refusals_;
  LoopbackServer http_;  // last: stopped before the members its handlers use
};

}  // namespace customsd::testing
