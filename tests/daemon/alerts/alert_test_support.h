// What the alert tests share: a migrated database with alerts in it, a pinned Random, a
// scripted command runner, and the default logger captured in a string.
#pragma once

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/backoff.h"
#include "daemon/alerts/alert_command.h"
#include "daemon/process/logging.h"
#include "storage/alert_store.h"
#include "tests/storage/store_fixture.h"

namespace customsd::testing {

class FixedRandom final : public Random {
 public:
  explicit FixedRandom(double value) : value_(value) {}
  double Uniform() override { return value_; }

 private:
  double value_;
};

class FakeCommandRunner final : public AlertCommandRunner {
 public:
  std::function<Status(const PendingAlert&)> answer;  // nullptr = exit 0
  std::vector<int64_t> runs;                          // alert ids, in order
  std::atomic<bool> cancelled{false};

  Status Run(const std::string&, const PendingAlert& alert) override {
    runs.push_back(alert.id);
    return answer ? answer(alert) : Status::Ok();
  }
  void Cancel() override { cancelled = true; }
};

// The columns delivery changes.
struct AlertRow {
  int attempts = 0;
  int64_t next_attempt_at = 0;
  std::optional<int64_t> delivered_at;
  std::optional<std::string> last_error;
};

inline int64_t AddAlert(Database& db, const std::string& cause, int64_t created_at,
                        std::optional<int64_t> declaration_id = std::nullopt) {
  NewAlert a;
  a.declaration_id = declaration_id;
  a.mchid = kTestMchid;
  a.cause = cause;
  a.dedupe_key = "test:" + cause + ":" + std::to_string(created_at);
  a.summary = "customs declaration 1230000109/ORDER-1//SHANGHAI_ZS needs attention: " + cause +
              ". Next: look";
  a.details = R"({"cause":")" + cause + R"("})";
  a.created_at = created_at;
  int64_t id = 0;
  Status s = db.Write([&](SQLite::Database& sql) {
    EXPECT_TRUE(InsertAlertIn(sql, a));
    id = sql.getLastInsertRowid();
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return id;
}

inline AlertRow ReadAlertRow(Database& db, int64_t id) {
  AlertRow row;
  Status s = db.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(
        sql, "SELECT attempts, next_attempt_at, delivered_at, last_error FROM alerts WHERE id = ?");
    q.bind(1, id);
    EXPECT_TRUE(q.executeStep());
    row.attempts = q.getColumn(0).getInt();
    row.next_attempt_at = q.getColumn(1).getInt64();
    if (!q.getColumn(2).isNull()) row.delivered_at = q.getColumn(2).getInt64();
    if (!q.getColumn(3).isNull()) row.last_error = q.getColumn(3).getString();
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return row;
}

// Installs a journal-format logger writing to a string while it lives.
class CapturedLog {
 public:
  CapturedLog() {
    spdlog::set_default_logger(MakeLogger(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_),
                                          spdlog::level::info, LogFormat::kJournal));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }
  size_t Count(const std::string& needle) const {
    const std::string t = text();
    size_t n = 0;
    for (size_t at = t.find(needle); at != std::string::npos; at = t.find(needle, at + 1)) ++n;
    return n;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_ = spdlog::default_logger();
  std::ostringstream out_;
};

}  // namespace customsd::testing
