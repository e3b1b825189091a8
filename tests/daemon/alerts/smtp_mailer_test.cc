// SmtpMailer through libcurl against FakeSmtpServer, a validating SMTP receiver on loopback
// (OS-picked port, stopped by its destructor). The fake answers 554 to any message it finds
// malformed and records why, so each test also asserts that its violation list is empty.
#include "daemon/alerts/smtp_mailer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "common/clock.h"
#include "tests/daemon/alerts/fake_smtp_server.h"

namespace customsd {
namespace {

using namespace std::chrono_literals;
using testing::FakeSmtpOptions;
using testing::FakeSmtpServer;
using testing::SmtpReceived;

const TimePoint kNow = FromUnixMillis(1'700'000'000'123);  // Tue, 14 Nov 2023 22:13:20 UTC

SmtpSettings SettingsFor(const std::string& url) {
  SmtpSettings s;
  s.url = url;
  s.from = "customsd@example.com";
  s.to = {"ops@example.com", "oncall@example.cn"};
  s.timeout = 10s;
  return s;
}

std::vector<std::string> Lines(const std::string& data) {
  std::vector<std::string> lines;
  for (size_t at = 0; at < data.size();) {
    const size_t end = std::min(data.find("\r\n", at), data.size());
    lines.push_back(data.substr(at, end - at));
    at = end + 2;
  }
  return lines;
}

size_t LongestLine(const std::string& data) {
  size_t longest = 0;
  for (const std::string& line : Lines(data)) longest = std::max(longest, line.size());
  return longest;
}

// Send's Status names only the reply code; on failure this adds what the fake objected to.
::testing::AssertionResult Sent(const Status& status, const FakeSmtpServer& server) {
  if (status.ok()) return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure() << status.message();
  for (const std::string& v : server.violations()) failure << "\n  fake: " << v;
  return failure;
}

// A loopback TCP socket of our own: bound only (connecting is refused) or listening without
// ever accepting (connecting succeeds, then nothing is ever said).
class OwnSocket {
 public:
  explicit OwnSocket(bool listen) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    if (listen) {
      EXPECT_EQ(::listen(fd_, 4), 0);
    }
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  ~OwnSocket() { ::close(fd_); }
  int fd() const { return fd_; }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

// Speaks raw SMTP to the fake, to show that its checks catch what a broken client would send.
class RawClient {
 public:
  explicit RawClient(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    EXPECT_EQ(::connect(socket_.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  // Sends `text` (if any) and returns the reply's code, 0 when none came within 5 s.
  int Say(const std::string& text) {
    if (!text.empty()) {
      EXPECT_EQ(::send(socket_.fd(), text.data(), text.size(), MSG_NOSIGNAL),
                static_cast<ssize_t>(text.size()));
    }
    for (;;) {
      // The last line of a reply is "ddd text" (a '-' after the code means more follow).
      for (size_t end; (end = buffer_.find("\r\n")) != std::string::npos;) {
        const std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        if (line.size() >= 4 && line[3] == ' ') return std::stoi(line.substr(0, 3));
      }
      pollfd p{socket_.fd(), POLLIN, 0};
      char chunk[1024];
      if (::poll(&p, 1, 5000) != 1) return 0;
      const ssize_t n = ::recv(socket_.fd(), chunk, sizeof chunk, 0);
      if (n <= 0) return 0;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  OwnSocket socket_{false};
  std::string buffer_;
};

TEST(SmtpMailer, SendsOneValidMessageToEveryRecipient) {
  FakeSmtpServer server;
  FakeClock clock(kNow);
  SmtpMailer mailer(SettingsFor(server.Url()), clock);
  const MailMessage mail{"报关失败",
                         "订单 4200001234 报关失败：海关返回 ERROR。\n请检查商户号。\n"};

  const Status sent = mailer.Send(mail);

  ASSERT_TRUE(sent.ok()) << sent.message();
  EXPECT_EQ(server.violations(), std::vector<std::string>{});
  const std::vector<SmtpReceived> got = server.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].reply, 250);
  EXPECT_EQ(got[0].envelope_from, "customsd@example.com");
  EXPECT_EQ(got[0].recipients, (std::vector<std::string>{"ops@example.com", "oncall@example.cn"}));
  EXPECT_EQ(got[0].Header("To"), "ops@example.com, oncall@example.cn");
  EXPECT_EQ(got[0].subject, "报关失败");
  EXPECT_EQ(got[0].body, mail.text);
  EXPECT_EQ(got[0].authenticated_user, "");
}

TEST(SmtpMailer, AuthenticatesWithTheConfiguredUser) {
  FakeSmtpServer server({.advertise_auth = true, .username = "alerts", .password = "s3cret!"});
  FakeClock clock(kNow);
  SmtpSettings settings = SettingsFor(server.Url());
  settings.username = "alerts";
  settings.password = "s3cret!";

  const Status sent = SmtpMailer(settings, clock).Send({"ok", "body"});

  ASSERT_TRUE(sent.ok()) << sent.message();
  EXPECT_EQ(server.violations(), std::vector<std::string>{});
  ASSERT_EQ(server.messages().size(), 1u);
  EXPECT_EQ(server.messages()[0].authenticated_user, "alerts");
  EXPECT_EQ(server.auth_refusals(), std::vector<std::string>{});
}

TEST(SmtpMailer, AWrongPasswordFailsWithoutQuotingIt) {
  FakeSmtpServer server({.advertise_auth = true, .username = "alerts", .password = "s3cret!"});
  FakeClock clock(kNow);
  SmtpSettings settings = SettingsFor(server.Url());
  settings.username = "alerts";
  settings.password = "Wr0ng-Pa55word";

  const Status sent = SmtpMailer(settings, clock).Send({"subject", "body"});

  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(sent.message().starts_with("SMTP: ")) << sent.message();
  EXPECT_NE(sent.message().find("535"), std::string::npos) << sent.message();
  EXPECT_EQ(sent.message().find("Wr0ng-Pa55word"), std::string::npos) << sent.message();
  EXPECT_EQ(sent.message().find('\n'), std::string::npos);
  EXPECT_EQ(server.auth_refusals().size(), 1u);  // the refusal came from the server
  EXPECT_TRUE(server.messages().empty());
  EXPECT_EQ(server.violations(), std::vector<std::string>{});
}

TEST(SmtpMailer, ATemporaryRefusalOfTheDataIsAFailure) {
  FakeSmtpServer server;
  server.FailNextData(451);
  FakeClock clock(kNow);

  const Status sent = SmtpMailer(SettingsFor(server.Url()), clock).Send({"s", "b"});

  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.code(), StatusCode::kUnavailable);
  EXPECT_NE(sent.message().find("451"), std::string::npos) << sent.message();
  ASSERT_EQ(server.messages().size(), 1u);  // refused at the very end, after the whole message
  EXPECT_EQ(server.messages()[0].reply, 451);
  EXPECT_EQ(server.violations(), std::vector<std::string>{});
}

TEST(SmtpMailer, OneRefusedRecipientFailsTheWholeSend) {
  FakeSmtpServer server;
  server.FailRcptTo("oncall@example.cn", 550);
  FakeClock clock(kNow);

  const Status sent = SmtpMailer(SettingsFor(server.Url()), clock).Send({"s", "b"});

  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.message().find("550"), std::string::npos) << sent.message();
  EXPECT_TRUE(server.messages().empty());  // nobody got it, so a retry reaches everyone once
  EXPECT_EQ(server.violations(), std::vector<std::string>{});
}

TEST(SmtpMailer, AnUnreachableServerFailsWithinTheTimeout) {
  OwnSocket closed(/*listen=*/false);  // bound, not listening: connections are refused
  FakeClock clock(kNow);
  SmtpSettings settings = SettingsFor("smtp://127.0.0.1:" + std::to_string(closed.port()));
  settings.timeout = 3s;

  const auto start = std::chrono::steady_clock::now();
  const Status sent = SmtpMailer(settings, clock).Send({"s", "b"});

  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(sent.message().starts_with("SMTP: ")) << sent.message();
}

TEST(SmtpMailer, AServerThatNeverGreetsFailsAtTheTimeout) {
  OwnSocket silent(/*listen=*/true);  // the kernel accepts the connection; nobody answers
  FakeClock clock(kNow);
  SmtpSettings settings = SettingsFor("smtp://127.0.0.1:" + std::to_string(silent.port()));
  settings.timeout = 300ms;

  const auto start = std::chrono::steady_clock::now();
  const Status sent = SmtpMailer(settings, clock).Send({"s", "b"});
  const auto took = std::chrono::steady_clock::now() - start;

  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.message().find("timed out"), std::string::npos) << sent.message();
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 5s);
}

TEST(SmtpMailer, APlainRemoteServerWithoutStartTlsGetsNoMail) {
  // 127.0.0.2 is not one of the loopback names IsLoopbackSmtp trusts, so the mailer treats it
  // as remote and demands STARTTLS, which the fake never offers.
  FakeSmtpServer server({.advertise_auth = true,
                         .username = "alerts",
                         .password = "s3cret!",
                         .bind_address = "127.0.0.2"});
  ASSERT_FALSE(IsLoopbackSmtp(server.Url()));
  FakeClock clock(kNow);
  SmtpSettings settings = SettingsFor(server.Url());
  settings.username = "alerts";
  settings.password = "s3cret!";

  const Status sent = SmtpMailer(settings, clock).Send({"s", "b"});

  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.message().find("STARTTLS"), std::string::npos) << sent.message();
  EXPECT_TRUE(server.messages().empty());
  EXPECT_TRUE(server.auth_refusals().empty());  // the password was never sent in the clear
  EXPECT_EQ(server.violations(), std::vector<std::string>{});
}

TEST(SmtpMailer, LongBodyLinesStayUnder998Octets) {
  FakeSmtpServer server;
  FakeClock clock(kNow);
  std::string line;
  for (int i = 0; i < 2000; ++i) line += "报";  // 6000 octets on one line
  const MailMessage mail{"long", line + "\n" + std::string(5000, 'x') + "\n"};

  ASSERT_TRUE(Sent(SmtpMailer(SettingsFor(server.Url()), clock).Send(mail), server));

  EXPECT_EQ(server.violations(), std::vector<std::string>{});
  ASSERT_EQ(server.messages().size(), 1u);
  EXPECT_LE(LongestLine(server.messages()[0].data), 78u);
  EXPECT_EQ(server.messages()[0].body, mail.text);
}

TEST(SmtpMailer, BodyLinesStartingWithADotArriveIntact) {
  FakeSmtpServer server;
  FakeClock clock(kNow);
  const MailMessage mail{"dots", "first\n.\n..two\n.leading\n\n.\nlast"};

  ASSERT_TRUE(Sent(SmtpMailer(SettingsFor(server.Url()), clock).Send(mail), server));

  EXPECT_EQ(server.violations(), std::vector<std::string>{});
  ASSERT_EQ(server.messages().size(), 1u);
  EXPECT_EQ(server.messages()[0].body, mail.text);
}

TEST(SmtpMailer, ALongChineseSubjectIsFoldedIntoShortEncodedWords) {
  FakeSmtpServer server;
  FakeClock clock(kNow);
  std::string subject = "[customsd] ";
  for (int i = 0; i < 15; ++i) subject += "报关失败，";

  ASSERT_TRUE(Sent(SmtpMailer(SettingsFor(server.Url()), clock).Send({subject, "b"}), server));

  EXPECT_EQ(server.violations(), std::vector<std::string>{});  // includes the 75-char limit
  ASSERT_EQ(server.messages().size(), 1u);
  EXPECT_EQ(server.messages()[0].subject, subject);
  EXPECT_LE(LongestLine(server.messages()[0].data), 78u);
}

TEST(SmtpMailer, ANewlineInTheSubjectCannotAddAHeader) {
  FakeSmtpServer server;
  FakeClock clock(kNow);
  SmtpMailer mailer(SettingsFor(server.Url()), clock);

  ASSERT_TRUE(Sent(mailer.Send({"alert\r\nBcc: evil@example.com", "b"}), server));
  ASSERT_TRUE(Sent(mailer.Send({"报关\nBcc: evil@example.com", "b"}), server));

  EXPECT_EQ(server.violations(), std::vector<std::string>{});
  const std::vector<SmtpReceived> got = server.messages();
  ASSERT_EQ(got.size(), 2u);
  for (const SmtpReceived& m : got) EXPECT_EQ(m.Header("Bcc"), "");
  EXPECT_EQ(got[0].subject, "alert  Bcc: evil@example.com");
  EXPECT_EQ(got[1].subject, "报关 Bcc: evil@example.com");
}

TEST(SmtpMailer, BadSettingsAreRefusedBeforeConnecting) {
  FakeSmtpServer server;
  FakeClock clock(kNow);
  SmtpSettings bad_from = SettingsFor(server.Url());
  bad_from.from = "customsd <customsd@example.com>";
  SmtpSettings bad_to = SettingsFor(server.Url());
  bad_to.to = {"ops@example.com\r\nRCPT TO:<evil@example.com>"};
  SmtpSettings no_to = SettingsFor(server.Url());
  no_to.to.clear();
  SmtpSettings bad_url = SettingsFor("ftp://127.0.0.1:" + std::to_string(server.port()));

  for (const SmtpSettings& s : {bad_from, bad_to, no_to, bad_url}) {
    const Status sent = SmtpMailer(s, clock).Send({"s", "b"});
    EXPECT_EQ(sent.code(), StatusCode::kInvalidInput) << sent.message();
  }
  EXPECT_TRUE(server.messages().empty());
  EXPECT_EQ(server.violations(), std::vector<std::string>{});
}

TEST(SmtpMailer, TheDateHeaderComesFromTheInjectedClock) {
  FakeSmtpServer server;
  FakeClock clock(kNow);
  SmtpMailer mailer(SettingsFor(server.Url()), clock);
  ASSERT_TRUE(Sent(mailer.Send({"s", "b"}), server));
  clock.Advance(std::chrono::hours(24 * 31 + 1));
  ASSERT_TRUE(Sent(mailer.Send({"s", "b"}), server));

  ASSERT_EQ(server.messages().size(), 2u);
  EXPECT_EQ(server.messages()[0].Header("Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(server.messages()[1].Header("Date"), "Fri, 15 Dec 2023 23:13:20 +0000");
  EXPECT_NE(server.messages()[0].Header("Message-ID"), server.messages()[1].Header("Message-ID"));
  EXPECT_EQ(server.violations(), std::vector<std::string>{});
}

TEST(BuildMailMessage, LaysOutHeadersAndABase64Body) {
  SmtpSettings s = SettingsFor("smtp://127.0.0.1:25");
  const std::string message = BuildMailMessage(s, {"报关失败", "a\nb"}, kNow, "1.2@customsd");

  EXPECT_EQ(message,
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "From: customsd@example.com\r\n"
            "To: ops@example.com, oncall@example.cn\r\n"
            "Subject: =?UTF-8?B?5oql5YWz5aSx6LSl?=\r\n"
            "Message-ID: <1.2@customsd>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "\r\n"
            "YQ0KYg==\r\n");  // "a\r\nb"
}

TEST(BuildMailMessage, FoldsManyRecipientsAndKeepsShortAsciiSubjectsPlain) {
  SmtpSettings s = SettingsFor("smtp://127.0.0.1:25");
  s.to.clear();
  for (int i = 0; i < 8; ++i) s.to.push_back("recipient" + std::to_string(i) + "@example.com");
  const std::string message = BuildMailMessage(s, {"Declaration failed", ""}, kNow, "x@customsd");

  EXPECT_NE(message.find("\r\nSubject: Declaration failed\r\n"), std::string::npos);
  EXPECT_NE(message.find(",\r\n recipient"), std::string::npos);
  EXPECT_LE(LongestLine(message), 78u);
  EXPECT_TRUE(message.ends_with("\r\n\r\n"));  // an empty body
}

TEST(IsLoopbackSmtp, OnlyForTheLocalHostNames) {
  EXPECT_TRUE(IsLoopbackSmtp("smtp://127.0.0.1:25"));
  EXPECT_TRUE(IsLoopbackSmtp("smtp://localhost"));
  EXPECT_TRUE(IsLoopbackSmtp("smtp://LocalHost:2525"));
  EXPECT_TRUE(IsLoopbackSmtp("smtp://[::1]:25"));
  EXPECT_FALSE(IsLoopbackSmtp("smtp://mail.example.com:587"));
  EXPECT_FALSE(IsLoopbackSmtp("smtps://smtp.example.com:465"));
  EXPECT_FALSE(IsLoopbackSmtp("smtp://127.0.0.1.example.com:25"));
  EXPECT_FALSE(IsLoopbackSmtp("smtp://localhost.example.com:25"));
  EXPECT_FALSE(IsLoopbackSmtp("smtp://127.0.0.1@mail.example.com:25"));
  EXPECT_FALSE(IsLoopbackSmtp("ftp://127.0.0.1"));
  EXPECT_FALSE(IsLoopbackSmtp(""));
}

TEST(CheckSmtpUrl, AcceptsOnlySmtpUrlsWithoutCredentials) {
  EXPECT_EQ(CheckSmtpUrl("smtps://smtp.example.com:465"), "");
  EXPECT_EQ(CheckSmtpUrl("smtp://mail.example.com:587"), "");
  EXPECT_EQ(CheckSmtpUrl("smtp://127.0.0.1:25"), "");
  EXPECT_EQ(CheckSmtpUrl("ftp://mail.example.com"), "must start with smtp:// or smtps://");
  EXPECT_EQ(CheckSmtpUrl("https://mail.example.com"), "must start with smtp:// or smtps://");
  EXPECT_EQ(CheckSmtpUrl(""), "must start with smtp:// or smtps://");
  EXPECT_NE(CheckSmtpUrl("smtp://"), "");
  EXPECT_NE(CheckSmtpUrl("smtp://mail.example.com:99999"), "");
  EXPECT_NE(CheckSmtpUrl("smtps://user:pw@smtp.example.com"), "");
  EXPECT_EQ(CheckSmtpUrl("smtps://user:pw@smtp.example.com").find("pw"), std::string::npos);
  EXPECT_NE(CheckSmtpUrl("smtps://smtp.example.com/?x=1"), "");
}

TEST(FakeSmtpServer, RefusesAMessageWithABareLineFeed) {
  FakeSmtpServer server;
  RawClient client(server.port());
  EXPECT_EQ(client.Say(""), 220);
  EXPECT_EQ(client.Say("EHLO test\r\n"), 250);
  EXPECT_EQ(client.Say("MAIL FROM:<a@example.com>\r\n"), 250);
  EXPECT_EQ(client.Say("RCPT TO:<b@example.com>\r\n"), 250);
  EXPECT_EQ(client.Say("DATA\r\n"), 354);
  EXPECT_EQ(client.Say("Subject: x\nFrom: a@example.com\r\n\r\nhi\r\n.\r\n"), 554);
  EXPECT_EQ(client.Say("QUIT\r\n"), 221);

  const std::vector<std::string> v = server.violations();
  EXPECT_TRUE(std::any_of(v.begin(), v.end(), [](const std::string& s) {
    return s.find("does not end in CRLF") != std::string::npos;
  }));
  EXPECT_TRUE(std::any_of(v.begin(), v.end(), [](const std::string& s) {
    return s.find("Date appears 0 times") != std::string::npos;
  }));
}

TEST(FakeSmtpServer, Answers503ToCommandsOutOfOrder) {
  FakeSmtpServer server;
  RawClient client(server.port());
  EXPECT_EQ(client.Say(""), 220);
  EXPECT_EQ(client.Say("MAIL FROM:<a@example.com>\r\n"), 503);  // before EHLO
  EXPECT_EQ(client.Say("EHLO test\r\n"), 250);
  EXPECT_EQ(client.Say("RCPT TO:<b@example.com>\r\n"), 503);  // before MAIL
  EXPECT_EQ(client.Say("MAIL FROM:<a@example.com>\r\n"), 250);
  EXPECT_EQ(client.Say("DATA\r\n"), 503);  // before RCPT
  EXPECT_EQ(client.Say("QUIT\r\n"), 221);
  EXPECT_EQ(server.violations().size(), 3u);
}

}  // namespace
}  // namespace customsd
