// The workflow against FakeWeChat: a migrated database, a fake clock, a customs client on the
// fake transport, and an Engine run inline (no threads, no waiting).
#pragma once

#include <gtest/gtest.h>

#include "daemon/workflow/engine.h"
#include "tests/daemon/workflow/fake_wechat.h"
#include "tests/storage/store_fixture.h"
#include "tests/wechatpay/client_fixture.h"
#include "wechatpay/certificate_manager.h"

namespace customsd::testing {

inline WorkflowSettings TestSettings() {
  using std::chrono::seconds;
  WorkflowSettings s;
  s.poll.first_delay = seconds(10);
  s.poll.backoff = {seconds(10), seconds(80), 2.0};
  s.poll.deadline = std::chrono::hours(1);
  s.retry.backoff = {seconds(5), seconds(60), 2.0};
  s.retry.max_attempts = 4;
  s.redeclare.on_except = true;
  s.redeclare.max_attempts = 2;
  s.redeclare.interval = seconds(30);
  return s;
}

// The fixture's own client as a ClientLookup hands it out: not owned, since the fixture
// outlives every job.
inline std::shared_ptr<CustomsClient> Unowned(CustomsClient* client) {
  return std::shared_ptr<CustomsClient>(std::shared_ptr<CustomsClient>(), client);
}

class WorkflowTest : public StoreTest {
 protected:
  WorkflowTest() { UseEngine(DefaultOptions()); }

  static EngineOptions DefaultOptions() {
    EngineOptions options;
    options.seed = 42;
    options.hold_probe_interval = std::chrono::minutes(5);
    return options;
  }

  // Replaces the engine by a new one on the same database (as a restart does: nothing the old
  // one held in memory survives).
  void UseEngine(const EngineOptions& options) {
    engine_.reset();
    engine_ = std::make_unique<Engine>(
        options, TestSettings(), *db_, nullptr,
        [this](const std::string& mchid) {
          return mchid == kTestMchid ? Unowned(stack_.client.get()) : nullptr;
        },
        clock_);
  }

  // Runs what is due now, then advances the clock by `step`, `times` times.
  void RunFor(std::chrono::milliseconds step, int times) {
    for (int i = 0; i < times; ++i) {
      engine_->RunDueInline(gate_);
      clock_.Advance(step);
    }
  }

  DeclarationRecord Reload(const DeclarationRecord& r) { return *store_.Get(r.id); }

  int64_t AlertCount() {
    SQLite::Statement q(db_->sqlite(), "SELECT count(*) FROM alerts");
    q.executeStep();
    return q.getColumn(0).getInt64();
  }

  // The declaration as it would be after its declare was committed as sent and the process
  // died before the answer was recorded.
  DeclarationRecord CrashedWhileSending(const DeclarationFields& f) {
    DeclarationRecord r = AddOne(f);
    EXPECT_TRUE(store_
                    .Transition(r.id, GuardOf(r), {.attempts = 1, .check_first = true},
                                {.kind = "declare_sent"})
                    .ok());
    return Reload(r);
  }

  PlatformSigner platform_;
  FakeWeChat wechat_{clock_};
  ClientStack stack_{wechat_.transport(), clock_, platform_};
  OpenGate gate_;
  std::unique_ptr<Engine> engine_;
};

inline TransportResult SignedError(const PlatformSigner& p, const Clock& clock, int status,
                                   const std::string& code, const std::string& message) {
  return Answer(p.Signed(status, R"({"code":")" + code + R"(","message":")" + message + R"("})",
                         UnixMillis(clock.Now()) / 1000));
}

}  // namespace customsd::testing
