// The start-up count of sends that were in flight at the last stop. The state is made by the
// workflow itself: the count is read, from a connection of its own, at the moment the request
// is with WeChat (the attempt committed, the answer not), which is what kill -9 leaves behind.
#include <gtest/gtest.h>

#include <optional>

#include "daemon/service/service_setup.h"
#include "tests/daemon/alerts/alert_test_support.h"
#include "tests/daemon/workflow/workflow_fixture.h"

namespace customsd {
namespace {

using std::chrono::seconds;
using testing::PlainOrder;

class RecoveredAttemptsTest : public testing::WorkflowTest {
 protected:
  // What a start-up would count if the process died during the next request to `endpoint`.
  std::optional<int64_t> CountDuringNext(const std::string& endpoint) {
    std::optional<int64_t> counted;
    wechat_.SetIntercept([&](const HttpRequest& request) -> std::optional<TransportResult> {
      if (counted || Endpoint(request) != endpoint) return std::nullopt;
      DatabaseOptions options;
      options.create = false;
      auto other = Database::Open(dir_.File("customsd.db"), options);
      EXPECT_TRUE(other.ok()) << other.status().message();
      DeclarationStore store(**other, clock_);
      auto count = store.CountDoubtfulSends();
      EXPECT_TRUE(count.ok()) << count.status().message();
      counted = count.ok() ? *count : -1;
      testing::CapturedLog log;
      LogRecoveredAttempts(store);
      logged_ = log.text();
      return std::nullopt;
    });
    RunFor(seconds(10), 3);
    wechat_.SetIntercept(nullptr);
    return counted;
  }

  static std::string Endpoint(const HttpRequest& r) {
    if (r.method == "GET") return "query";
    if (r.method == "PATCH") return "modify";
    return r.url.find("/redeclare") != std::string::npos ? "redeclare" : "declare";
  }

  std::string logged_;
};

TEST_F(RecoveredAttemptsTest, ARePushInFlightIsCounted) {
  DeclarationRecord r = AddOne(PlainOrder("X1"));
  AddOne(PlainOrder("OTHER"));  // declared and polled: nothing in doubt
  engine_->RunDueInline(gate_);
  wechat_.SetState("X1", "", "EXCEPT");
  clock_.Advance(seconds(10));
  engine_->RunDueInline(gate_);  // polled: EXCEPT -> redeclare
  ASSERT_EQ(Reload(r).phase, Phase::kRedeclare);

  EXPECT_EQ(CountDuringNext("redeclare"), 1);
  EXPECT_EQ(wechat_.Count("redeclare"), 1);
  EXPECT_NE(logged_.find("1 declaration(s) had a request in flight"), std::string::npos) << logged_;
}

TEST_F(RecoveredAttemptsTest, ADeclareInFlightIsCounted) {
  AddOne(PlainOrder("D1"));
  EXPECT_EQ(CountDuringNext("declare"), 1);
}

TEST_F(RecoveredAttemptsTest, NothingInFlightCountsNothing) {
  AddOne(PlainOrder("P1"));
  engine_->RunDueInline(gate_);  // declared; the poll that follows sends nothing in doubt
  EXPECT_EQ(CountDuringNext("query"), 0);
  EXPECT_EQ(logged_.find("in flight"), std::string::npos) << logged_;
}

}  // namespace
}  // namespace customsd
