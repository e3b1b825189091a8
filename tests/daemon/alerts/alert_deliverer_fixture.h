// The AlertDeliverer test fixture: a migrated database, a FakeClock, a FakeTransport, a
// scripted command runner, a pinned Random and the log captured.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "daemon/alerts/alert_deliverer.h"
#include "tests/daemon/alerts/alert_test_support.h"
#include "tests/support/fake_transport.h"

namespace customsd::testing {

inline constexpr char kWebhookUrl[] =
    "https://hooks.example.com/cgi-bin/webhook/send?key=SECRET0123456789";
inline constexpr char kWebhookToken[] = "SECRET0123456789";

inline HttpResponse Reply(int status, std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

class AlertDelivererTest : public ::testing::Test {
 protected:
  AlertDelivererTest() { config_.webhook_url = kWebhookUrl; }

  std::unique_ptr<AlertDeliverer> Make(Database& db, AlertDelivererOptions options = {}) {
    return std::make_unique<AlertDeliverer>(db, config_, transport_, clock_, random_, runner_,
                                            options);
  }
  int64_t Now() { return UnixMillis(clock_.Now()); }

  CapturedLog log_;
  TempDir dir_;
  FakeClock clock_{TestEpoch()};
  std::unique_ptr<Database> db_ = OpenMigrated(dir_.File("customsd.db"));
  Config::Alerts config_;
  FakeTransport transport_;
  FixedRandom random_{0.5};  // full jitter then waits exactly half the cap
  FakeCommandRunner runner_;
};

}  // namespace customsd::testing
