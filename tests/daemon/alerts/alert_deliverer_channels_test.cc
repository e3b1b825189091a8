// AlertDeliverer's channels (webhook and command, remembered separately), what its error texts
// keep out (the webhook URL), paging through a backlog, and its own thread. The one threaded
// test waits on a condition variable, never by sleeping.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "tests/daemon/alerts/alert_deliverer_fixture.h"

namespace customsd {
namespace {

using namespace std::chrono_literals;
using testing::AddAlert;
using testing::AlertDelivererTest;
using testing::Answer;
using testing::NetworkError;
using testing::ReadAlertRow;
using testing::Reply;

TEST_F(AlertDelivererTest, AChannelThatSucceededIsNotRepeatedAcrossARestart) {
  config_.command = "/usr/local/bin/page-someone";
  const int64_t id = AddAlert(*db_, "FAIL", Now());
  transport_.SetHandler([](const HttpRequest&) { return Answer(Reply(200)); });
  runner_.answer = [](const PendingAlert&) { return Status::Unavailable("exited with status 1"); };
  Make(*db_)->RunOnce();
  EXPECT_EQ(ReadAlertRow(*db_, id).last_error,
            "delivered to webhook; command: exited with status 1");
  db_.reset();

  auto db = testing::OpenMigrated(dir_.File("customsd.db"));
  runner_.answer = nullptr;
  clock_.Advance(10min);
  EXPECT_EQ(Make(*db)->RunOnce(), 1);
  EXPECT_EQ(transport_.requests().size(), 1u);  // the webhook was not sent again
  EXPECT_EQ(runner_.runs, (std::vector<int64_t>{id, id}));
  EXPECT_EQ(ReadAlertRow(*db, id).attempts, 2);
}

TEST_F(AlertDelivererTest, BothChannelsFailingAreBothRecordedAndRetried) {
  config_.command = "/usr/local/bin/page-someone";
  const int64_t id = AddAlert(*db_, "FAIL", Now());
  transport_.SetHandler([](const HttpRequest&) { return Answer(Reply(503)); });
  runner_.answer = [](const PendingAlert&) { return Status::Unavailable("exited with status 1"); };
  auto deliverer = Make(*db_);
  deliverer->RunOnce();
  EXPECT_EQ(ReadAlertRow(*db_, id).last_error, "webhook: HTTP 503; command: exited with status 1");
  clock_.Advance(10min);
  deliverer->RunOnce();
  EXPECT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(runner_.runs.size(), 2u);
}

TEST_F(AlertDelivererTest, TheWebhookUrlNeverReachesLastErrorOrTheLog) {
  const int64_t id = AddAlert(*db_, "FAIL", Now());
  const std::vector<std::string> messages = {
      std::string("Could not connect to ") + testing::kWebhookUrl,
      std::string("bad query key=") + testing::kWebhookToken + " in /cgi-bin/webhook/send",
  };
  for (const std::string& m : messages) {
    transport_.SetHandler(
        [&](const HttpRequest&) { return NetworkError(TransportErrorKind::kUnknown, m); });
    Make(*db_)->RunOnce();
    const auto row = ReadAlertRow(*db_, id);
    ASSERT_TRUE(row.last_error.has_value());
    EXPECT_EQ(row.last_error->find(testing::kWebhookToken), std::string::npos) << *row.last_error;
    EXPECT_EQ(row.last_error->find("hooks.example.com/cgi-bin"), std::string::npos);
    EXPECT_EQ(row.last_error->rfind("webhook: ", 0), 0u) << *row.last_error;
    clock_.Advance(1h);
  }
  transport_.SetHandler(
      [](const HttpRequest& r) { return Answer(Reply(404, "no hook " + r.url)); });
  Make(*db_)->RunOnce();
  EXPECT_EQ(ReadAlertRow(*db_, id).last_error->find(testing::kWebhookToken), std::string::npos);
  EXPECT_EQ(log_.text().find(testing::kWebhookToken), std::string::npos) << log_.text();
  EXPECT_EQ(log_.text().find("hooks.example.com"), std::string::npos) << log_.text();
}

TEST_F(AlertDelivererTest, ARobotRefusingWithAnErrcodeIsRetried) {
  config_.webhook_format = "wecom";
  const int64_t id = AddAlert(*db_, "FAIL", Now());
  transport_.SetHandler([](const HttpRequest&) {
    return Answer(Reply(200, R"({"errcode":45009,"errmsg":"api freq out of limit"})"));
  });
  Make(*db_)->RunOnce();
  EXPECT_EQ(ReadAlertRow(*db_, id).last_error, "webhook: errcode 45009: api freq out of limit");
  EXPECT_EQ(nlohmann::json::parse(transport_.requests()[0].body)["msgtype"], "markdown");
}

TEST_F(AlertDelivererTest, StartDeliversOnItsOwnThreadAndStopIsPrompt) {
  config_.command = "/usr/local/bin/page-someone";
  const int64_t id = AddAlert(*db_, "FAIL", Now());
  std::mutex mu;
  std::condition_variable cv;
  bool posted = false;
  transport_.SetHandler([&](const HttpRequest&) {
    std::lock_guard lock(mu);
    posted = true;
    cv.notify_all();
    return Answer(Reply(200));
  });
  AlertDelivererOptions options;
  options.interval = 1h;  // Stop must not wait for the next pass
  auto deliverer = Make(*db_, options);
  deliverer->Start();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return posted; }));
  }
  const auto before = std::chrono::steady_clock::now();
  deliverer->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  EXPECT_TRUE(runner_.cancelled);
  EXPECT_EQ(ReadAlertRow(*db_, id).delivered_at, Now());
}

TEST_F(AlertDelivererTest, OnePassPagesThroughABacklogTryingEachAlertOnce) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(AddAlert(*db_, "FAIL" + std::to_string(i), Now()));
  testing::FixedRandom zero(0.0);  // every retry is due at once: the cursor must still move on
  AlertDelivererOptions options;
  options.batch = 2;
  AlertDeliverer deliverer(*db_, config_, transport_, clock_, zero, runner_, options);
  transport_.SetHandler([](const HttpRequest&) { return Answer(Reply(500)); });
  EXPECT_EQ(deliverer.RunOnce(), 0);
  EXPECT_EQ(transport_.requests().size(), 5u);
  for (int64_t id : ids) EXPECT_EQ(ReadAlertRow(*db_, id).attempts, 1);

  transport_.SetHandler([](const HttpRequest&) { return Answer(Reply(200)); });
  EXPECT_EQ(deliverer.RunOnce(), 5);
  EXPECT_EQ(transport_.requests().size(), 10u);
  std::vector<int64_t> order;
  for (const HttpRequest& r : transport_.requests()) {
    order.push_back(nlohmann::json::parse(r.body)["id"].get<int64_t>());
  }
  EXPECT_EQ(std::vector<int64_t>(order.begin(), order.begin() + 5), ids);  // oldest first
}

}  // namespace
}  // namespace customsd
