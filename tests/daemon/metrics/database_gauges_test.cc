// DatabaseGauges on a migrated temp database with rows in several states, and the text of
// Metrics + DatabaseGauges together.
#include "daemon/metrics/database_gauges.h"

#include <gtest/gtest.h>

#include "common/build_info.h"
#include "daemon/metrics/metrics.h"
#include "tests/daemon/metrics/family_lookup.h"
#include "tests/storage/store_fixture.h"

namespace customsd {
namespace {

using testing::CounterValue;
using testing::FindFamily;
using testing::FindSeries;
using testing::GaugeValue;

const TimePoint kStart = testing::TestEpoch();

// A migrated database with declarations in several states and a few alerts.
class DatabaseGaugesTest : public testing::StoreTest {
 protected:
  void InsertDeclaration(const std::string& order, std::string_view state, std::string_view phase,
                         std::chrono::minutes age) {
    const int64_t created = UnixMillis(clock_.Now() - age);
    ASSERT_TRUE(db_->Write([&](SQLite::Database& sql) {
                     SQLite::Statement q(sql,
                                         "INSERT INTO declarations (appid, mchid, out_trade_no, "
                                         "transaction_id, customs, merchant_customs_no, state, "
                                         "phase, next_attempt_at, created_at, updated_at) VALUES "
                                         "(?, ?, ?, '1000320306201511078440737890', 'SHANGHAI_ZS',"
                                         " '123456', ?, ?, ?, ?, ?)");
                     q.bind(1, testing::kTestAppid);
                     q.bind(2, testing::kTestMchid);
                     q.bind(3, order);
                     q.bind(4, std::string(state));
                     q.bind(5, std::string(phase));
                     q.bind(6, created);
                     q.bind(7, created);
                     q.bind(8, created);
                     q.exec();
                     return Status::Ok();
                   })
                    .ok());
  }

  void InsertAlert(const std::string& key, bool delivered, bool held = false) {
    const int64_t now = UnixMillis(clock_.Now());
    ASSERT_TRUE(db_->Write([&](SQLite::Database& sql) {
                     SQLite::Statement q(sql,
                                         "INSERT INTO alerts (cause, dedupe_key, summary, "
                                         "created_at, next_attempt_at, delivered_at, in_digest) "
                                         "VALUES ('fail', ?, 'declaration failed', ?, ?, ?, ?)");
                     q.bind(1, key);
                     q.bind(2, now);
                     q.bind(3, now);
                     if (delivered) q.bind(4, now);
                     q.bind(5, held ? 1 : 0);
                     q.exec();
                     return Status::Ok();
                   })
                    .ok());
  }

  void AddRows() {
    clock_.Set(kStart - std::chrono::hours(3));
    AddOne(testing::PlainOrder("ORDER-SECRET-A"));  // UNDECLARED / submit, 3 h old
    clock_.Set(kStart);
    InsertDeclaration("ORDER-SECRET-B", "SUBMITTED", "poll", std::chrono::minutes(60));
    InsertDeclaration("ORDER-SECRET-C", "SUCCESS", "done", std::chrono::minutes(600));
    InsertDeclaration("ORDER-SECRET-D", "FAIL", "done", std::chrono::minutes(500));
    InsertDeclaration("ORDER-SECRET-E", "EXCEPT", "attention", std::chrono::minutes(1200));
    InsertDeclaration("ORDER-SECRET-F", "SUBMITTED", "poll", std::chrono::minutes(5));
    InsertAlert("fail:D", /*delivered=*/true);
    InsertAlert("attention:E", /*delivered=*/false);
    InsertAlert("attention:X", /*delivered=*/false);
    InsertAlert("attention:Y", /*delivered=*/false, /*held=*/true);
  }

  std::unique_ptr<DatabaseGauges> OpenGauges() {
    auto gauges = DatabaseGauges::Open(dir_.File("customsd.db"), clock_);
    EXPECT_TRUE(gauges.ok()) << gauges.status().message();
    return gauges.ok() ? std::move(gauges).value() : nullptr;
  }
};

TEST_F(DatabaseGaugesTest, CountsEveryStateAndPhaseTheOldestUnfinishedAndTheAlerts) {
  AddRows();
  auto gauges = OpenGauges();
  ASSERT_NE(gauges, nullptr);
  auto f = gauges->Collect();
  EXPECT_EQ(GaugeValue(f, "customsd_database_up"), 1);
  EXPECT_EQ(FindFamily(f, "customsd_declarations")->metric.size(), 6u * 7u);
  EXPECT_EQ(GaugeValue(f, "customsd_declarations", {{"state", "UNDECLARED"}, {"phase", "submit"}}),
            1);
  EXPECT_EQ(GaugeValue(f, "customsd_declarations", {{"state", "SUBMITTED"}, {"phase", "poll"}}), 2);
  EXPECT_EQ(GaugeValue(f, "customsd_declarations", {{"state", "SUCCESS"}, {"phase", "done"}}), 1);
  EXPECT_EQ(GaugeValue(f, "customsd_declarations", {{"state", "FAIL"}, {"phase", "done"}}), 1);
  EXPECT_EQ(GaugeValue(f, "customsd_declarations", {{"state", "EXCEPT"}, {"phase", "attention"}}),
            1);
  EXPECT_EQ(GaugeValue(f, "customsd_declarations", {{"state", "PROCESSING"}, {"phase", "poll"}}),
            0);
  // Settled and attention rows are older, but only submit/poll/modify/redeclare count.
  EXPECT_EQ(GaugeValue(f, "customsd_oldest_unfinished_declaration_age_seconds"), 3 * 3600);
  // A held alert waits for its digest by design: not counted as undelivered, which alerts.
  EXPECT_EQ(GaugeValue(f, "customsd_alerts_pending"), 2);
  EXPECT_EQ(GaugeValue(f, "customsd_alerts_held"), 1);
  EXPECT_EQ(GaugeValue(f, "customsd_alerts_delivered"), 1);

  clock_.Advance(std::chrono::minutes(30));  // read at scrape time, from the clock
  f = gauges->Collect();
  EXPECT_EQ(GaugeValue(f, "customsd_oldest_unfinished_declaration_age_seconds"), 3.5 * 3600);
  EXPECT_TRUE(gauges->CheckReadable().ok());
}

TEST_F(DatabaseGaugesTest, AnEmptyDatabaseGivesZeros) {
  auto gauges = OpenGauges();
  ASSERT_NE(gauges, nullptr);
  auto f = gauges->Collect();
  EXPECT_EQ(GaugeValue(f, "customsd_declarations", {{"state", "FAIL"}, {"phase", "done"}}), 0);
  EXPECT_EQ(GaugeValue(f, "customsd_oldest_unfinished_declaration_age_seconds"), 0);
  EXPECT_EQ(GaugeValue(f, "customsd_alerts_pending"), 0);
  EXPECT_EQ(GaugeValue(f, "customsd_alerts_held"), 0);
  EXPECT_EQ(GaugeValue(f, "customsd_alerts_delivered"), 0);
}

TEST_F(DatabaseGaugesTest, AFailedReadReportsDatabaseDownInsteadOfThrowing) {
  auto gauges = OpenGauges();
  ASSERT_NE(gauges, nullptr);
  ASSERT_TRUE(db_->Write([](SQLite::Database& sql) {
                   sql.exec("DROP TABLE alerts");
                   return Status::Ok();
                 })
                  .ok());
  EXPECT_FALSE(gauges->Read().ok());
  auto f = gauges->Collect();
  EXPECT_EQ(GaugeValue(f, "customsd_database_up"), 0);
  EXPECT_EQ(FindFamily(f, "customsd_declarations"), nullptr);
}

TEST_F(DatabaseGaugesTest, OpeningAMissingDatabaseFails) {
  EXPECT_FALSE(DatabaseGauges::Open(dir_.File("missing.db"), clock_).ok());
}

TEST_F(DatabaseGaugesTest, TheTextHasTheExpectedNamesAndLabelsAndNoOrderNumbers) {
  AddRows();
  Metrics metrics(kStart, {"1230000109"});
  metrics.OnRequest("1230000109", "declare", OutcomeClass::kOk, std::chrono::milliseconds(200));
  metrics.OnTransition(Phase::kSubmit, Phase::kPoll);
  auto gauges = OpenGauges();
  ASSERT_NE(gauges, nullptr);
  const prometheus::Collectable* sources[] = {&metrics, gauges.get()};
  const std::string text = RenderMetricsText(sources);
  for (const char* expected : {
           "# TYPE customsd_api_requests_total counter",
           "customsd_api_requests_total{endpoint=\"declare\",mchid=\"1230000109\",outcome=\"ok\"} 1\n",
           "customsd_api_requests_total{endpoint=\"declare\",mchid=\"other\",outcome=\"ok\"} 0\n",
           "# TYPE customsd_api_request_duration_seconds histogram",
           "customsd_api_request_duration_seconds_bucket{endpoint=\"declare\",le=\"0.25\"} 1\n",
           "customsd_transitions_total{from_phase=\"submit\",to_phase=\"poll\"} 1\n",
           "customsd_signature_verification_failures_total 0\n",
           "customsd_last_successful_poll_timestamp_seconds 0\n",
           "customsd_alert_deliveries_total 0\n",
           "customsd_start_time_seconds 1795305600\n",
           "# TYPE customsd_declarations gauge",
           "customsd_declarations{state=\"SUBMITTED\",phase=\"poll\"} 2\n",
           "customsd_declarations{state=\"FAIL\",phase=\"done\"} 1\n",
           "customsd_oldest_unfinished_declaration_age_seconds 10800\n",
           "customsd_alerts_pending 2\n",
           "customsd_alerts_delivered 1\n",
           "customsd_database_up 1\n",
       }) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n" << text;
  }
  EXPECT_NE(text.find(std::string("customsd_build_info{commit=\"") + kGitCommit + "\",version=\"" +
                      kVersion + "\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("ORDER-SECRET"), std::string::npos);
  EXPECT_EQ(text.find("out_trade_no"), std::string::npos);
  EXPECT_EQ(text.find("1000320306201511078440737890"), std::string::npos);
}

}  // namespace
}  // namespace customsd
