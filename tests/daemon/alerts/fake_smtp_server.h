// A loopback SMTP receiver that checks what it is sent the way a strict server would, so the
// mailer's tests fail on a malformed conversation or message rather than on a lenient fake.
//
// Protocol (RFC 5321): greets 220; EHLO (SIZE, optionally AUTH PLAIN LOGIN) or HELO before
// anything else; AUTH PLAIN (with or without an initial response) and AUTH LOGIN, 235 or 535;
// with a username configured MAIL needs a successful AUTH first (530); MAIL FROM:<a>, one or
// more RCPT TO:<a>, DATA 354, data to CRLF.CRLF with dot-stuffing undone; RSET, NOOP, QUIT 221.
// Out-of-order commands get 503, unknown ones 500; both are recorded as violations.
//
// Message checks (a failing message is recorded and answered 554, not 250): every line ends in
// CRLF and has at most 998 octets; headers are ASCII; From, To, Subject, Date, Message-ID and
// MIME-Version appear exactly once; Date is an RFC 5322 date; Content-Type is text/plain with
// charset=UTF-8; a base64 body decodes to UTF-8 in canonical (CRLF) form; Subject
// encoded-words are at most 75 characters and each holds whole UTF-8 characters; data no larger
// than the SIZE the client declared.
//
// One thread serves one connection at a time, on 127.0.0.1 (or another loopback address) and
// an OS-picked port; the destructor stops and joins it. Accessors are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace customsd::testing {

struct FakeSmtpOptions {
  bool advertise_auth = false;  // "250-AUTH PLAIN LOGIN" in the EHLO answer
  std::string username;         // non-empty: AUTH with this user and password is required
  std::string password;
  std::string bind_address = "127.0.0.1";  // any 127.x.y.z; Linux routes all of 127/8 to lo
  size_t max_size = 1 << 20;               // advertised as SIZE
};

struct SmtpReceived {
  std::string envelope_from;            // from MAIL FROM:<...>
  std::vector<std::string> recipients;  // from each accepted RCPT TO:<...>
  std::string authenticated_user;       // "" when the session did not AUTH
  std::string data;                     // as received, dot-stuffing undone, without CRLF.CRLF
  std::vector<std::pair<std::string, std::string>> headers;  // unfolded, in order
  std::string subject;                                       // RFC 2047 decoded
  std::string body;                     // transfer-decoded, CRLF turned into '\n'
  std::vector<std::string> violations;  // what makes the message unacceptable
  int reply = 0;                        // what the fake answered the data: 250, 554, injected

  // The first header of that name (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
};

class FakeSmtpServer {
 public:
  explicit FakeSmtpServer(FakeSmtpOptions options = {});
  ~FakeSmtpServer();
  FakeSmtpServer(const FakeSmtpServer&) = delete;
  FakeSmtpServer& operator=(const FakeSmtpServer&) = delete;

  int port() const { return port_; }
  std::string Url() const;  // "smtp://<bind address>:<port>"

  // The next RCPT, or the next message's data, is answered `code` (say 451) instead.
  void FailNextRcpt(int code);
  void FailRcptTo(std::string address, int code);  // every RCPT of that address
  void FailNextData(int code);

  // Waits (condition variable, bounded) until at least n messages have been received.
  bool WaitForMessages(size_t n, std::chrono::milliseconds timeout);
  std::vector<SmtpReceived> messages() const;      // every complete DATA, whatever the reply
  std::vector<std::string> violations() const;     // protocol ones and those of every message
  std::vector<std::string> auth_refusals() const;  // one line per 535, naming the user only

 private:
  class Session;
  void Serve();

  const FakeSmtpOptions options_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // a pipe: written once by the destructor to end every poll
  int port_ = 0;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  int fail_next_rcpt_ = 0;
  std::pair<std::string, int> fail_rcpt_to_;
  int fail_next_data_ = 0;
  std::vector<SmtpReceived> messages_;
  std::vector<std::string> protocol_violations_;
  std::vector<std::string> auth_refusals_;
};

}  // namespace customsd::testing
