// LogFields (the per-thread declaration context) and JournalSink (one journal entry per line,
// with that context as fields), through a fake sd_journal_sendv: no journald is needed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/process/log_fields.h"
#include "daemon/process/log_journal.h"
#include "daemon/process/logging.h"

namespace customsd {
namespace {

using Entry = std::vector<std::string>;

DeclarationRecord SplitOrder() {
  DeclarationRecord r;
  r.id = 42;
  r.fields.mchid = "1230000109";
  r.fields.out_trade_no = "20240506103215001";
  r.fields.sub_order_no = "20240506103215001-2";
  r.fields.customs = "SHANGHAI_ZS";
  r.state = State::kProcessing;
  return r;
}

// Every entry the sink sent, as its "NAME=value" fields; `result` is what the send returns.
struct FakeJournal {
  std::vector<Entry> entries;
  int result = 0;

  JournalSink::Send Sender() {
    return [this](const struct iovec* fields, int count) {
      Entry entry;
      for (int i = 0; i < count; ++i) {
        entry.emplace_back(static_cast<const char*>(fields[i].iov_base), fields[i].iov_len);
      }
      entries.push_back(std::move(entry));
      return result;
    };
  }
};

std::shared_ptr<spdlog::logger> JournalLogger(FakeJournal& journal) {
  return MakeLogger(std::make_shared<JournalSink>(journal.Sender()), spdlog::level::debug,
                    LogFormat::kJournalEntry);
}

TEST(JournalFieldsTest, WithoutAScopeOnlyTheMessagePriorityAndIdentifier) {
  EXPECT_EQ(JournalFields("info customsd ready", spdlog::level::info, LogFields::Current()),
            (Entry{"MESSAGE=info customsd ready", "PRIORITY=6", "SYSLOG_IDENTIFIER=customsd"}));
  EXPECT_EQ(JournalFields("m", spdlog::level::debug, nullptr)[1], "PRIORITY=7");
  EXPECT_EQ(JournalFields("m", spdlog::level::warn, nullptr)[1], "PRIORITY=4");
  EXPECT_EQ(JournalFields("m", spdlog::level::err, nullptr)[1], "PRIORITY=3");
  EXPECT_EQ(JournalFields("m", spdlog::level::critical, nullptr)[1], "PRIORITY=2");
}

TEST(JournalFieldsTest, ADeclarationScopeAddsItsKeyAndState) {
  LogFields scope(SplitOrder());
  EXPECT_EQ(JournalFields("m", spdlog::level::info, LogFields::Current()),
            (Entry{"MESSAGE=m", "PRIORITY=6", "SYSLOG_IDENTIFIER=customsd", "DECLARATION_ID=42",
                   "MCHID=1230000109", "OUT_TRADE_NO=20240506103215001",
                   "SUB_ORDER_NO=20240506103215001-2", "CUSTOMS=SHANGHAI_ZS",
                   "STATE=PROCESSING"}));
  scope.SetState(State::kSuccess);
  EXPECT_EQ(JournalFields("m", spdlog::level::info, LogFields::Current()).back(),
            "STATE=SUCCESS");
}

TEST(JournalFieldsTest, APlainOrderHasNoSubOrderFieldAndAnOrderScopeNamesOnlyTheOrder) {
  DeclarationRecord plain = SplitOrder();
  plain.fields.sub_order_no.clear();
  {
    LogFields scope(plain);
    const Entry fields = JournalFields("m", spdlog::level::info, LogFields::Current());
    EXPECT_EQ(std::count(fields.begin(), fields.end(), "SUB_ORDER_NO="), 0);
    EXPECT_EQ(fields.size(), 3u + 5u);  // id, mchid, out_trade_no, customs, state
  }
  LogFields order(SplitOrder(), LogFields::Scope::kOrder);
  EXPECT_EQ(JournalFields("m", spdlog::level::info, LogFields::Current()),
            (Entry{"MESSAGE=m", "PRIORITY=6", "SYSLOG_IDENTIFIER=customsd", "MCHID=1230000109",
                   "OUT_TRADE_NO=20240506103215001", "CUSTOMS=SHANGHAI_ZS"}));
}

TEST(JournalFieldsTest, ControlCharactersInAFieldCannotStartAnotherField) {
  DeclarationRecord r = SplitOrder();
  r.fields.out_trade_no = "A\nPRIORITY=0";
  LogFields scope(r);
  const Entry fields = JournalFields("m", spdlog::level::info, LogFields::Current());
  ASSERT_GT(fields.size(), 5u);
  EXPECT_EQ(fields[5], "OUT_TRADE_NO=A\\nPRIORITY=0");
}

TEST(LogFieldsTest, ScopesNestAndRestoreAndEndWithTheirBlock) {
  EXPECT_EQ(LogFields::Current(), nullptr);
  {
    LogFields order(SplitOrder(), LogFields::Scope::kOrder);
    EXPECT_EQ(LogFields::Current()->declaration_id, 0);
    {
      DeclarationRecord other = SplitOrder();
      other.id = 43;
      LogFields inner(other);
      EXPECT_EQ(LogFields::Current()->declaration_id, 43);
    }
    EXPECT_EQ(LogFields::Current()->declaration_id, 0);
    EXPECT_EQ(LogFields::Current()->out_trade_no, "20240506103215001");
  }
  EXPECT_EQ(LogFields::Current(), nullptr);
}

TEST(LogFieldsTest, AScopeIsSeenOnlyByItsOwnThread) {
  LogFields scope(SplitOrder());
  const LogContext* seen_elsewhere = LogFields::Current();
  std::thread([&seen_elsewhere] { seen_elsewhere = LogFields::Current(); }).join();
  EXPECT_EQ(seen_elsewhere, nullptr);
  EXPECT_EQ(LogFields::Current()->declaration_id, 42);
}

TEST(JournalSinkTest, EachLineIsOneEntryWithTheScopesFieldsRedactedAndOnOneLine) {
  FakeJournal journal;
  auto logger = JournalLogger(journal);
  logger->info("customsd ready");
  {
    LogFields scope(SplitOrder());
    logger->warn("headers:\nAuthorization: WECHATPAY2-SHA256-RSA2048 signature=\"s3cr3t\"");
  }
  logger->trace("below the level: not sent");
  ASSERT_EQ(journal.entries.size(), 2u);
  EXPECT_EQ(journal.entries[0],
            (Entry{"MESSAGE=info customsd ready", "PRIORITY=6", "SYSLOG_IDENTIFIER=customsd"}));
  const Entry& warn = journal.entries[1];
  EXPECT_EQ(warn[0], "MESSAGE=warning headers:\\nAuthorization: [REDACTED]");
  EXPECT_EQ(warn[1], "PRIORITY=4");
  EXPECT_EQ(warn[3], "DECLARATION_ID=42");
  EXPECT_EQ(warn.back(), "STATE=PROCESSING");
}

TEST(JournalSinkTest, AFailedSendWritesThePrefixedLineToStderrInstead) {
  FakeJournal journal;
  journal.result = -2;  // -ENOENT: no journald socket
  auto logger = JournalLogger(journal);
  ::testing::internal::CaptureStderr();
  logger->error("cannot record 'polled'");
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(journal.entries.size(), 1u);
  EXPECT_EQ(err, "<3>error cannot record 'polled'\n");
}

// SetUpLogging under a journald stream (JOURNAL_STREAM naming stdout) logs through a
// JournalSink only; elsewhere through stdout only.
TEST(JournalSinkTest, SetUpLoggingPicksTheJournalSinkOnlyWhenStdoutIsTheJournal) {
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  const char* was = std::getenv("JOURNAL_STREAM");
  const std::optional<std::string> saved = was ? std::optional<std::string>(was) : std::nullopt;
  struct stat st;
  ASSERT_EQ(::fstat(STDOUT_FILENO, &st), 0);
  const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);

  ASSERT_EQ(::setenv("JOURNAL_STREAM", mine.c_str(), 1), 0);
  ASSERT_TRUE(SetUpLogging("info").ok());
  ASSERT_EQ(spdlog::default_logger()->sinks().size(), 1u);
  EXPECT_NE(dynamic_cast<JournalSink*>(spdlog::default_logger()->sinks()[0].get()), nullptr);

  ASSERT_EQ(::unsetenv("JOURNAL_STREAM"), 0);
  ASSERT_TRUE(SetUpLogging("info").ok());
  ASSERT_EQ(spdlog::default_logger()->sinks().size(), 1u);
  EXPECT_EQ(dynamic_cast<JournalSink*>(spdlog::default_logger()->sinks()[0].get()), nullptr);

  if (saved) ::setenv("JOURNAL_STREAM", saved->c_str(), 1);
  spdlog::set_default_logger(previous);
}

}  // namespace
}  // namespace customsd
