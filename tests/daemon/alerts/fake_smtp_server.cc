#include "tests/daemon/alerts/fake_smtp_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <stdexcept>

namespace customsd::testing {
namespace {

// The fake's own decoders, so a bug in customsd's base64 cannot hide itself.
std::optional<std::string> DecodeBase64(std::string_view in) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < in.size(); i += 4) {
    unsigned bits = 0;
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = in[i + j];
      const size_t v = kAlphabet.find(c);
      if (c == '=' && i + 4 == in.size() && j >= 2 && (j == 3 || in[i + 3] == '=')) {
        ++pad;
      } else if (v == std::string_view::npos || pad > 0) {
        return std::nullopt;
      }
      bits = bits << 6 | (v == std::string_view::npos ? 0 : static_cast<unsigned>(v));
    }
    out += static_cast<char>(bits >> 16);
    if (pad < 2) out += static_cast<char>(bits >> 8 & 0xff);
    if (pad < 1) out += static_cast<char>(bits & 0xff);
  }
  return out;
}

bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && c < 0xc2)) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// RFC 2047: encoded-words (UTF-8, B or Q) are decoded, whitespace between two of them dropped.
std::string DecodeSubject(std::string_view value, std::vector<std::string>& violations) {
  std::string out;
  bool last_encoded = false;
  size_t i = 0;
  while (i < value.size()) {
    const size_t start = value.find_first_not_of(" \t", i);
    if (start == std::string_view::npos) break;
    const std::string_view space = value.substr(i, start - i);
    const size_t end = std::min(value.find_first_of(" \t", start), value.size());
    const std::string_view word = value.substr(start, end - start);
    i = end;
    // "=?" charset "?" B|Q "?" text "?=", q1 and q2 being the two inner question marks.
    const size_t q1 = word.find('?', 2), q2 = q1 + 2;
    const bool encoded = word.starts_with("=?") && word.ends_with("?=") && q1 != word.npos &&
                         q1 > 2 && word.size() >= q2 + 3 && word[q2] == '?';
    if (!encoded) {
      out += std::string(space) + std::string(word);
      last_encoded = false;
      continue;
    }
    if (word.size() > 75) violations.push_back("Subject encoded-word over 75 characters");
    if (!IEquals(word.substr(2, q1 - 2), "UTF-8"))
      violations.push_back("Subject charset not UTF-8");
    const char kind = static_cast<char>(std::toupper(static_cast<unsigned char>(word[q1 + 1])));
    const std::string_view text = word.substr(q2 + 1, word.size() - q2 - 3);
    std::optional<std::string> decoded;
    if (kind == 'B') {
      decoded = DecodeBase64(text);
    } else if (kind == 'Q') {
      decoded.emplace();
      for (size_t k = 0; k < text.size(); ++k) {
        if (text[k] == '_') {
          *decoded += ' ';
        } else if (text[k] == '=') {
          const std::string hex(text.substr(k + 1, 2));
          char* end = nullptr;
          const long byte = std::strtol(hex.c_str(), &end, 16);
          if (hex.size() != 2 || end != hex.c_str() + 2) {
            decoded.reset();
            break;
          }
          *decoded += static_cast<char>(byte);
          k += 2;
        } else {
          *decoded += text[k];
        }
      }
    }
    if (!decoded) {
      violations.push_back("Subject encoded-word does not decode");
      decoded.emplace();
    } else if (!IsUtf8(*decoded)) {
      violations.push_back("Subject encoded-word does not hold whole UTF-8 characters");
    }
    if (!last_encoded) out += space;
    out += *decoded;
    last_encoded = true;
  }
  return out;
}

// Fills headers, subject and body of `m` from m.data and lists what is wrong with it.
void Inspect(SmtpReceived& m, size_t declared_size) {
  std::vector<std::string>& v = m.violations;
  if (declared_size != 0 && m.data.size() > declared_size) v.push_back("data larger than SIZE=");
  std::vector<std::string_view> lines;
  std::string_view rest = m.data;
  for (size_t n = 1; !rest.empty(); ++n) {
    const size_t lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf == rest.npos ? rest.size() : lf + 1);
    rest.remove_prefix(line.size());
    if (!line.ends_with("\r\n")) v.push_back("line " + std::to_string(n) + " does not end in CRLF");
    line.remove_suffix(line.ends_with("\r\n") ? 2 : line.ends_with('\n') ? 1 : 0);
    if (line.find('\r') != line.npos) v.push_back("bare CR in line " + std::to_string(n));
    if (line.size() > 998) v.push_back("line " + std::to_string(n) + " over 998 octets");
    lines.push_back(line);
  }
  size_t at = 0;
  for (; at < lines.size() && !lines[at].empty(); ++at) {
    const std::string_view line = lines[at];
    if (std::any_of(line.begin(), line.end(), [](char c) { return c & 0x80; })) {
      v.push_back("non-ASCII byte in header line " + std::to_string(at + 1));
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (m.headers.empty()) {
        v.push_back("message starts with a continuation line");
      } else {
        m.headers.back().second += std::string(line);  // unfolding drops only the CRLF
      }
    } else if (const size_t colon = line.find(':'); colon != line.npos && colon > 0) {
      const size_t value = line.find_first_not_of(" \t", colon + 1);
      m.headers.emplace_back(line.substr(0, colon),
                             value == line.npos ? "" : std::string(line.substr(value)));
    } else {
      v.push_back("header line " + std::to_string(at + 1) + " has no field name");
    }
  }
  if (at == lines.size()) v.push_back("no blank line after the headers");
  for (const char* name : {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version"}) {
    const auto n = std::count_if(m.headers.begin(), m.headers.end(),
                                 [&](const auto& h) { return IEquals(h.first, name); });
    if (n != 1) v.push_back(std::string(name) + " appears " + std::to_string(n) + " times");
  }
  std::tm tm{};
  const std::string date = m.Header("Date");
  const char* parsed = strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S %z", &tm);
  if (parsed == nullptr || *parsed != '\0') v.push_back("Date is not an RFC 5322 date: " + date);
  const std::string id = m.Header("Message-ID");
  if (!id.starts_with('<') || !id.ends_with('>') || id.find('@') == id.npos) {
    v.push_back("Message-ID is not <left@right>");
  }
  if (m.Header("MIME-Version") != "1.0") v.push_back("MIME-Version is not 1.0");
  std::string type = Lower(m.Header("Content-Type"));
  type.erase(std::remove_if(type.begin(), type.end(), [](char c) { return c == ' ' || c == '"'; }),
             type.end());
  if (!type.starts_with("text/plain;") || type.find(";charset=utf-8") == type.npos) {
    v.push_back("Content-Type is not text/plain; charset=UTF-8");
  }
  if (m.Header("From") != m.envelope_from &&
      m.Header("From").find("<" + m.envelope_from + ">") == std::string::npos) {
    v.push_back("From header is not the envelope sender");
  }
  m.subject = DecodeSubject(m.Header("Subject"), v);

  std::string body;
  for (size_t k = at + 1; k < lines.size(); ++k) body += std::string(lines[k]) + "\r\n";
  const std::string encoding = Lower(m.Header("Content-Transfer-Encoding"));
  if (encoding == "base64") {
    std::string joined;
    for (size_t k = at + 1; k < lines.size(); ++k) joined += lines[k];
    std::optional<std::string> decoded = DecodeBase64(joined);
    if (!decoded) v.push_back("base64 body does not decode");
    body = decoded.value_or("");
  } else if (encoding != "" && encoding != "7bit") {
    v.push_back("unexpected Content-Transfer-Encoding " + encoding);
  }
  if (!IsUtf8(body)) v.push_back("body is not UTF-8");
  for (size_t k = 0; k < body.size(); ++k) {
    const bool crlf = body[k] == '\r' && k + 1 < body.size() && body[k + 1] == '\n';
    if (crlf) continue;
    if (body[k] == '\r' || (body[k] == '\n' && (k == 0 || body[k - 1] != '\r'))) {
      v.push_back("body has a bare CR or LF");
      break;
    }
  }
  for (char c : body) {
    if (c != '\r') m.body += c;
  }
}

}  // namespace

std::string SmtpReceived::Header(std::string_view name) const {
  for (const auto& [n, value] : headers) {
    if (IEquals(n, name)) return value;
  }
  return "";
}

// One client connection: buffered line reading that gives up when the server is stopped.
class FakeSmtpServer::Session {
 public:
  Session(FakeSmtpServer& server, int fd) : s_(server), fd_(fd) {}

  void Run() {
    Reply("220 fake.customsd.test ESMTP");
    std::string line;
    while (ReadLine(line)) {
      if (!line.ends_with("\r\n")) Violation("command line does not end in CRLF");
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      const size_t space = line.find(' ');
      const std::string verb = Lower(line.substr(0, space));
      const std::string arg = space == line.npos ? "" : line.substr(space + 1);
      if (verb == "quit") return Reply("221 2.0.0 bye");
      Command(verb, arg);
    }
  }

 private:
  void Command(const std::string& verb, const std::string& arg) {
    if (verb == "ehlo" || verb == "helo") {
      if (arg.empty()) return Violation(verb + " without a domain", "501 domain required");
      greeted_ = true;
      in_mail_ = false;
      if (verb == "helo") return Reply("250 fake.customsd.test");
      Reply("250-fake.customsd.test\r\n250-SIZE " + std::to_string(s_.options_.max_size) +
            (s_.options_.advertise_auth ? "\r\n250-AUTH PLAIN LOGIN" : "") + "\r\n250 8BITMIME");
    } else if (verb == "auth") {
      if (!greeted_ || in_mail_ || !user_.empty() || !s_.options_.advertise_auth) {
        return Violation("AUTH out of order or not offered", "503 5.5.1 bad sequence");
      }
      Auth(arg);
    } else if (verb == "mail") {
      if (!greeted_ || in_mail_) return Violation("MAIL out of order", "503 5.5.1 bad sequence");
      if (!s_.options_.username.empty() && user_.empty()) {
        return Violation("MAIL before AUTH", "530 5.7.0 authentication required");
      }
      std::optional<std::string> from = Path(arg, "from:");
      if (!from) return Violation("malformed MAIL: " + arg, "501 5.5.4 syntax");
      mail_ = SmtpReceived{};
      mail_.envelope_from = *from;
      mail_.authenticated_user = user_;
      declared_size_ = 0;
      if (const size_t at = Lower(arg).find(" size="); at != arg.npos) {
        char* end = nullptr;
        declared_size_ = std::strtoul(arg.c_str() + at + 6, &end, 10);
        if (end == arg.c_str() + at + 6 || (*end != '\0' && *end != ' ')) {
          return Violation("malformed SIZE= in MAIL", "501 5.5.4 syntax");
        }
        if (declared_size_ > s_.options_.max_size) return Reply("552 5.3.4 too big");
      }
      in_mail_ = true;
      Reply("250 2.1.0 ok");
    } else if (verb == "rcpt") {
      if (!in_mail_) return Violation("RCPT before MAIL", "503 5.5.1 bad sequence");
      std::optional<std::string> to = Path(arg, "to:");
      if (!to || to->empty()) return Violation("malformed RCPT: " + arg, "501 5.5.4 syntax");
      int code = TakeFailure(s_.fail_next_rcpt_);
      {
        std::lock_guard lock(s_.mu_);
        if (code == 0 && s_.fail_rcpt_to_.first == *to) code = s_.fail_rcpt_to_.second;
      }
      if (code != 0) return Reply(std::to_string(code) + " injected refusal");
      mail_.recipients.push_back(*to);
      Reply("250 2.1.5 ok");
    } else if (verb == "data") {
      if (!in_mail_ || mail_.recipients.empty()) {
        return Violation("DATA without recipients", "503 5.5.1 bad sequence");
      }
      Data();
    } else if (verb == "rset") {
      in_mail_ = false;
      Reply("250 2.0.0 ok");
    } else if (verb == "noop") {
      Reply("250 2.0.0 ok");
    } else {
      Violation("unknown command " + verb, "500 5.5.2 unknown command");
    }
  }

  void Auth(const std::string& arg) {
    const size_t space = arg.find(' ');
    const std::string mech = Lower(arg.substr(0, space));
    std::optional<std::string> first;
    if (space != arg.npos) first = arg.substr(space + 1);
    std::string user, password;
    auto ask = [&](const std::string& prompt) -> std::optional<std::string> {
      std::string line;
      Reply("334 " + prompt);
      if (!ReadLine(line) || !line.ends_with("\r\n")) return std::nullopt;
      return DecodeBase64(line.substr(0, line.size() - 2));
    };
    if (mech == "plain") {
      std::optional<std::string> blob = first ? DecodeBase64(*first) : ask("");
      const size_t nul1 = blob ? blob->find('\0') : std::string::npos;
      const size_t nul2 = nul1 == std::string::npos ? nul1 : blob->find('\0', nul1 + 1);
      if (nul2 == std::string::npos) return Violation("malformed AUTH PLAIN", "501 5.5.2 syntax");
      user = blob->substr(nul1 + 1, nul2 - nul1 - 1);
      password = blob->substr(nul2 + 1);
    } else if (mech == "login") {
      std::optional<std::string> u = first ? DecodeBase64(*first) : ask("VXNlcm5hbWU6");
      std::optional<std::string> p = u ? ask("UGFzc3dvcmQ6") : std::nullopt;
      if (!p) return Violation("malformed AUTH LOGIN", "501 5.5.2 syntax");
      user = *u;
      password = *p;
    } else {
      return Violation("AUTH with an unknown mechanism " + mech, "504 5.5.4 unrecognized");
    }
    if (user == s_.options_.username && password == s_.options_.password && !user.empty()) {
      user_ = user;
      return Reply("235 2.7.0 authentication successful");
    }
    {
      std::lock_guard lock(s_.mu_);
      s_.auth_refusals_.push_back("AUTH " + mech + " refused for user " + user);
    }
    Reply("535 5.7.8 authentication credentials invalid");
  }

  void Data() {
    Reply("354 end data with <CR><LF>.<CR><LF>");
    std::string line;
    while (true) {
      if (!ReadLine(line)) return;
      if (line == ".\r\n") break;
      mail_.data += line.starts_with('.') ? line.substr(1) : line;
    }
    in_mail_ = false;
    Inspect(mail_, declared_size_);
    const int injected = TakeFailure(s_.fail_next_data_);
    mail_.reply = injected != 0 ? injected : mail_.violations.empty() ? 250 : 554;
    const std::string answer =
        std::to_string(mail_.reply) +
        (mail_.reply == 554 ? " 5.6.0 refused: " + mail_.violations.front() : " done");
    {
      std::lock_guard lock(s_.mu_);
      s_.messages_.push_back(std::move(mail_));
    }
    s_.changed_.notify_all();
    Reply(answer);
  }

  // "FROM:<addr>" (parameters may follow) -> addr.
  static std::optional<std::string> Path(const std::string& arg, std::string_view keyword) {
    if (!IEquals(std::string_view(arg).substr(0, keyword.size()), keyword)) return std::nullopt;
    const size_t open = keyword.size(), close = arg.find('>', open);
    if (arg.size() <= open || arg[open] != '<' || close == arg.npos) return std::nullopt;
    if (close + 1 != arg.size() && arg[close + 1] != ' ') return std::nullopt;
    return arg.substr(open + 1, close - open - 1);
  }

  int TakeFailure(int& slot) {
    std::lock_guard lock(s_.mu_);
    return std::exchange(slot, 0);
  }

  void Violation(const std::string& what, const std::string& reply) {
    Violation(what);
    Reply(reply);
  }
  void Violation(const std::string& what) {
    std::lock_guard lock(s_.mu_);
    s_.protocol_violations_.push_back(what);
  }

  void Reply(const std::string& text) {
    const std::string out = text + "\r\n";
    for (size_t sent = 0; sent < out.size();) {
      const ssize_t n = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  // One line with its terminator (or what came before EOF); false at EOF or when stopped.
  bool ReadLine(std::string& line) {
    for (;;) {
      if (const size_t lf = buffer_.find('\n'); lf != std::string::npos) {
        line = buffer_.substr(0, lf + 1);
        buffer_.erase(0, lf + 1);
        return true;
      }
      pollfd fds[2] = {{fd_, POLLIN, 0}, {s_.wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 || fds[1].revents != 0) return false;
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  FakeSmtpServer& s_;
  const int fd_;
  std::string buffer_;
  bool greeted_ = false;
  bool in_mail_ = false;
  std::string user_;
  SmtpReceived mail_;
  size_t declared_size_ = 0;
};

FakeSmtpServer::FakeSmtpServer(FakeSmtpOptions options) : options_(std::move(options)) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (::inet_pton(AF_INET, options_.bind_address.c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error("fake SMTP: bad bind address");
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 8) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      ::pipe2(wake_, O_CLOEXEC) != 0) {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    throw std::runtime_error("fake SMTP: cannot listen");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

FakeSmtpServer::~FakeSmtpServer() {
  (void)!::write(wake_[1], "x", 1);  // never read, so every later poll sees it too
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void FakeSmtpServer::Serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 || fds[1].revents != 0) return;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    Session(*this, client).Run();
    ::close(client);
  }
}

std::string FakeSmtpServer::Url() const {
  return "smtp://" + options_.bind_address + ":" + std::to_string(port_);
}

void FakeSmtpServer::FailNextRcpt(int code) {
  std::lock_guard lock(mu_);
  fail_next_rcpt_ = code;
}

void FakeSmtpServer::FailRcptTo(std::string address, int code) {
  std::lock_guard lock(mu_);
  fail_rcpt_to_ = {std::move(address), code};
}

void FakeSmtpServer::FailNextData(int code) {
  std::lock_guard lock(mu_);
  fail_next_data_ = code;
}

bool FakeSmtpServer::WaitForMessages(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

std::vector<SmtpReceived> FakeSmtpServer::messages() const {
  std::lock_guard lock(mu_);
  return messages_;
}

std::vector<std::string> FakeSmtpServer::violations() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> all = protocol_violations_;
  for (const SmtpReceived& m : messages_)
    all.insert(all.end(), m.violations.begin(), m.violations.end());
  return all;
}

std::vector<std::string> FakeSmtpServer::auth_refusals() const {
  std::lock_guard lock(mu_);
  return auth_refusals_;
}

}  // namespace customsd::testing
