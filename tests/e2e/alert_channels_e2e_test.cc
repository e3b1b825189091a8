// The alert paths from a real run. Chat: the mock refuses a declaration, the daemon (configured as
// an operator would: a signed DingTalk robot, its secret in a 0600 file, two people to mention)
// raises the alert, and a receiver validating DingTalk's rules accepts exactly one message
// that names the refusal and mentions them. The secret never reaches the log or the database.
// Email: the same refusal mailed through SMTP AUTH (password in a 0600 file) to a validating
// SMTP receiver, one message to each recipient.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include "tests/daemon/alerts/chat_receivers.h"
#include "tests/daemon/alerts/fake_smtp_server.h"
#include "tests/e2e/e2e_fixture.h"

namespace customsd {
namespace {

using std::chrono::seconds;

constexpr char kSecret[] = "SECe2e0123456789abcdef0123456789abcdef0123456789abcdef01234567";

using ChatAlertEndToEndTest = testing::EndToEndTest;

TEST_F(ChatAlertEndToEndTest, ARefusalReachesASignedDingtalkRobotOnceWithTheMentions) {
  testing::ChatReceiver receiver(
      {kSecret, "customsd", "", [] { return UnixMillis(std::chrono::system_clock::now()); }});
  StartMock({});
  const std::string secret_file = install_.File("dingtalk.secret");
  testing::WriteFile(secret_file, std::string(kSecret) + "\n");
  ASSERT_EQ(chmod(secret_file.c_str(), 0600), 0);
  testing::WriteFile(install_.config_path(),
                     testing::ReadFile(install_.config_path()) + "[alerts]\nwebhook_url = \"" +
                         receiver.Url("dingtalk") +
                         "\"\nwebhook_format = \"dingtalk\"\nwebhook_secret_file = \"" +
                         secret_file + "\"\nmention = [\"13800000000\", \"ops-lead\"]\n");
  testing::WriteFile(
      install_.File("refused.jsonl"),
      R"({"out_trade_no":"REFUSED1","transaction_id":"4200000000000000000000000001",)"
      R"("customs":"SHANGHAI_ZS","merchant_customs_no":"PARAMERR9"})"
      "\n");
  ASSERT_EQ(Cli({"declare", "--file", install_.File("refused.jsonl")}).code, 0);
  testing::CliResult check = Cli({"check"});
  ASSERT_EQ(check.code, 0) << check.out << check.err;  // the secret file passes the key rules

  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitUntil([&] {
    return Count("SELECT count(*) FROM alerts WHERE delivered_at IS NOT NULL") == 1;
  })) << DaemonLog();
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(15)), 0);
  StopMock();

  EXPECT_TRUE(receiver.refusals().empty()) << receiver.refusals().front();
  const std::vector<testing::ChatMessage> accepted = receiver.accepted();
  ASSERT_EQ(accepted.size(), 1u);
  const testing::ChatMessage& m = accepted[0];
  EXPECT_NE(m.text.find("PARAM_ERROR"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("REFUSED1"), std::string::npos) << m.text;
  EXPECT_EQ(m.mentioned, (std::vector<std::string>{"13800000000", "ops-lead"}));
  EXPECT_EQ(DaemonLog().find(kSecret), std::string::npos);
  EXPECT_EQ(Count(std::string("SELECT count(*) FROM alerts WHERE last_error LIKE '%") + kSecret +
                  "%' OR details LIKE '%" + kSecret + "%'"),
            0);
}

TEST_F(ChatAlertEndToEndTest, ARefusalIsMailedThroughSmtpAuthToEveryRecipient) {
  testing::FakeSmtpOptions options;
  options.advertise_auth = true;
  options.username = "customsd";
  options.password = "smtp-password-e2e-0123";
  testing::FakeSmtpServer smtp(options);
  StartMock({});
  const std::string password_file = install_.File("smtp.password");
  testing::WriteFile(password_file, options.password + "\n");
  ASSERT_EQ(chmod(password_file.c_str(), 0600), 0);
  testing::WriteFile(install_.config_path(),
                     testing::ReadFile(install_.config_path()) + "[alerts.email]\nsmtp_url = \"" +
                         smtp.Url() +
                         "\"\nfrom = \"customsd@example.com\"\n"
                         "to = [\"ops@example.com\", \"lead@example.com\"]\n"
                         "username = \"customsd\"\npassword_file = \"" +
                         password_file + "\"\n");
  testing::WriteFile(install_.File("refused.jsonl"),
                     R"({"out_trade_no":"MAILED1","transaction_id":"4200000000000000000000000001",)"
                     R"("customs":"SHANGHAI_ZS","merchant_customs_no":"PARAMERR9"})"
                     "\n");
  ASSERT_EQ(Cli({"declare", "--file", install_.File("refused.jsonl")}).code, 0);

  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitUntil([&] {
    return Count("SELECT count(*) FROM alerts WHERE delivered_at IS NOT NULL") == 1;
  })) << DaemonLog();
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(15)), 0);
  StopMock();

  EXPECT_TRUE(smtp.violations().empty()) << smtp.violations().front();
  const std::vector<testing::SmtpReceived> messages = smtp.messages();
  ASSERT_EQ(messages.size(), 1u);
  const testing::SmtpReceived& mail = messages[0];
  EXPECT_EQ(mail.reply, 250);
  EXPECT_EQ(mail.authenticated_user, "customsd");
  EXPECT_EQ(mail.recipients, (std::vector<std::string>{"ops@example.com", "lead@example.com"}));
  EXPECT_EQ(mail.subject.rfind("customsd alert ", 0), 0u) << mail.subject;
  EXPECT_NE(mail.body.find("PARAM_ERROR"), std::string::npos) << mail.body;
  EXPECT_NE(mail.body.find("MAILED1"), std::string::npos) << mail.body;
  EXPECT_EQ(DaemonLog().find(options.password), std::string::npos);
}

}  // namespace
}  // namespace customsd
