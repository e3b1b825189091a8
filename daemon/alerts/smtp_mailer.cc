#include "daemon/alerts/smtp_mailer.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <utility>

#include "wechatpay/base64.h"

namespace customsd {
namespace {

template <auto free>
struct Free {
  void operator()(auto* p) const { free(p); }
};

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Bare addresses go between "<>" on the wire and into headers as is, so anything that could
// end the address, start a comment or split a line is refused.
bool IsBareAddress(std::string_view a) {
  const size_t at = a.find('@');
  return a.size() <= 254 && at != 0 && at != std::string_view::npos && at + 1 < a.size() &&
         a.find('@', at + 1) == std::string_view::npos &&
         std::all_of(a.begin(), a.end(), [](char c) {
           return c > ' ' && c < 0x7f && std::strchr("<>,;:()\"\\[]", c) == nullptr;
         });
}

std::string FormatDate(TimePoint now) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[40];  // names by hand: strftime's %a and %b follow the locale
  std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return out;
}

// "Subject: " + the value, folded. Short printable ASCII goes as is; anything else becomes
// encoded-words of at most 42 bytes (68 characters, so each line stays within 78), cut only
// between UTF-8 characters because RFC 2047 forbids splitting one across words.
std::string SubjectHeader(std::string subject) {
  for (char& c : subject) {
    if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) c = ' ';  // no header injection
  }
  const bool plain = subject.size() <= 69 && subject.find("=?") == std::string::npos &&
                     std::all_of(subject.begin(), subject.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x7f; });
  if (plain) return "Subject: " + subject + "\r\n";
  std::string out = "Subject:";
  for (size_t begin = 0; begin < subject.size();) {
    size_t end = std::min(begin + 42, subject.size());
    while (end > begin + 1 && end < subject.size() &&
           (static_cast<unsigned char>(subject[end]) & 0xc0) == 0x80) {
      --end;
    }
    out += (begin == 0 ? " " : "\r\n ") + std::string("=?UTF-8?B?") +
           Base64Encode(std::string_view(subject).substr(begin, end - begin)) + "?=";
    begin = end;
  }
  return out + "\r\n";
}

std::string ToHeader(const std::vector<std::string>& to) {
  std::string out = "To:";
  size_t line = out.size();
  for (size_t i = 0; i < to.size(); ++i) {
    const bool fold = i > 0 && line + 2 + to[i].size() > 78;
    out += i == 0 ? " " : (fold ? ",\r\n " : ", ");
    line = fold ? 1 : line + (i == 0 ? 1 : 2);
    out += to[i];
    line += to[i].size();
  }
  return out + "\r\n";
}

std::string NewMessageId(TimePoint now) {
  std::random_device random;
  char out[64];
  std::snprintf(out, sizeof out, "%lld.%08x%08x@customsd", static_cast<long long>(UnixMillis(now)),
                random(), random());
  return out;
}

struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t OnRead(char* buffer, size_t size, size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, u->data.size() - u->offset);
  std::memcpy(buffer, u->data.data() + u->offset, n);
  u->offset += n;
  return n;
}

// Servers may echo what they were sent, and libcurl's error text may quote them.
std::string Scrub(std::string text, const SmtpSettings& s) {
  if (s.password.empty()) return text;
  const std::string secrets[] = {
      s.password, Base64Encode(s.password),
      Base64Encode(std::string(1, '\0') + s.username + '\0' + s.password)};
  for (const std::string& secret : secrets) {
    for (size_t at = 0; (at = text.find(secret, at)) != std::string::npos; at += 3) {
      text.replace(at, secret.size(), "***");  // from after the stars: a secret may hold "*"
    }
  }
  return text;
}

}  // namespace

std::string BuildMailMessage(const SmtpSettings& s, const MailMessage& m, TimePoint now,
                             std::string_view message_id) {
  std::string body;  // text/plain's canonical form has CRLF line ends
  for (char c : m.text) {
    if (c == '\n') {
      body += "\r\n";
    } else if (c != '\r') {
      body += c;
    }
  }
  const std::string encoded = Base64Encode(body);
  std::string out = "Date: " + FormatDate(now) + "\r\nFrom: " + s.from + "\r\n" + ToHeader(s.to) +
                    SubjectHeader(m.subject) + "Message-ID: <" + std::string(message_id) +
                    ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\n";
  for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

SmtpMailer::SmtpMailer(SmtpSettings s, const Clock& clock)
    : settings_(std::move(s)), clock_(clock) {}

Status SmtpMailer::Send(const MailMessage& m) {
  const SmtpSettings& s = settings_;
  if (std::string why = CheckSmtpUrl(s.url); !why.empty()) {
    return Status::InvalidInput("SMTP url " + why);
  }
  if (!IsBareAddress(s.from)) return Status::InvalidInput("SMTP from is not a bare address");
  if (s.to.empty()) return Status::InvalidInput("SMTP to names no recipient");
  std::unique_ptr<curl_slist, Free<curl_slist_free_all>> rcpt;
  for (const std::string& to : s.to) {
    if (!IsBareAddress(to)) return Status::InvalidInput("SMTP to holds a non-bare address");
    curl_slist* grown = curl_slist_append(rcpt.get(), ("<" + to + ">").c_str());
    if (grown == nullptr) return Status::Internal("SMTP: out of memory");
    (void)rcpt.release();  // the same list, one longer
    rcpt.reset(grown);
  }
  const TimePoint now = clock_.Now();
  const std::string message = BuildMailMessage(s, m, now, NewMessageId(now));

  GlobalInit();
  std::unique_ptr<CURL, Free<curl_easy_cleanup>> easy(curl_easy_init());
  if (!easy) return Status::Internal("SMTP: cannot create a libcurl handle");
  Upload upload{message};
  char error[CURL_ERROR_SIZE] = {};
  const std::string from = "<" + s.from + ">";
  CURLcode result = CURLE_OK;
  auto opt = [&](CURLoption option, auto value) {
    if (result == CURLE_OK) result = curl_easy_setopt(easy.get(), option, value);
  };
  opt(CURLOPT_ERRORBUFFER, error);
  opt(CURLOPT_URL, s.url.c_str());
  opt(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  opt(CURLOPT_NOSIGNAL, 1L);
  opt(CURLOPT_TIMEOUT_MS, static_cast<long>(s.timeout.count()));
  // Without STARTTLS a remote server would get the password and the alert in the clear.
  opt(CURLOPT_USE_SSL, static_cast<long>(IsLoopbackSmtp(s.url) ? CURLUSESSL_TRY : CURLUSESSL_ALL));
  opt(CURLOPT_SSL_VERIFYPEER, 1L);
  opt(CURLOPT_SSL_VERIFYHOST, 2L);
  opt(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  opt(CURLOPT_MAIL_FROM, from.c_str());
  opt(CURLOPT_MAIL_RCPT, rcpt.get());  // by default one refused recipient ends the send
  opt(CURLOPT_UPLOAD, 1L);
  opt(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));  // for SIZE=
  opt(CURLOPT_READFUNCTION, &OnRead);
  opt(CURLOPT_READDATA, &upload);
  if (!s.username.empty()) {
    opt(CURLOPT_USERNAME, s.username.c_str());
    opt(CURLOPT_PASSWORD, s.password.c_str());
  }
  if (result == CURLE_OK) result = curl_easy_perform(easy.get());
  if (result == CURLE_OK) return Status::Ok();

  long reply = 0;
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &reply);
  std::string text = error[0] != '\0' ? error : curl_easy_strerror(result);
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  text = "SMTP: " + text + " (curl error " + std::to_string(static_cast<int>(result)) + ")";
  if (reply != 0) text += ", server replied " + std::to_string(reply);
  return Status::Unavailable(Scrub(std::move(text), s));
}

}  // namespace customsd
