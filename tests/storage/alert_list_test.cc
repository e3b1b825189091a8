// Listing and acknowledging alerts. Alerts are raised through InsertAlertIn, the writer the
// workflow itself uses.
#include "storage/alert_list.h"

#include <gtest/gtest.h>

#include "storage/alert_store.h"
#include "tests/storage/store_fixture.h"

namespace customsd {
namespace {

class AlertListTest : public testing::StoreTest {
 protected:
  int64_t Raise(const std::string& cause, const std::string& mchid,
                std::optional<int64_t> declaration, int64_t created_at) {
    NewAlert a;
    a.declaration_id = declaration;
    a.mchid = mchid;
    a.cause = cause;
    a.dedupe_key = cause + ":" + mchid + ":" + std::to_string(++raised_);
    a.summary = cause + " summary";
    a.details = R"({"n":)" + std::to_string(raised_) + "}";
    a.created_at = created_at;
    int64_t id = 0;
    Status s = db_->Write([&](SQLite::Database& sql) {
      EXPECT_TRUE(InsertAlertIn(sql, a));
      id = sql.getLastInsertRowid();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return id;
  }

  std::vector<int64_t> Ids(const AlertFilter& f) {
    auto alerts = ListAlerts(*db_, f);
    EXPECT_TRUE(alerts.ok()) << alerts.status().message();
    std::vector<int64_t> ids;
    if (alerts.ok()) {
      for (const AlertRecord& a : *alerts) ids.push_back(a.id);
    }
    return ids;
  }

  int raised_ = 0;
};

TEST_F(AlertListTest, ListsNewestFirstAndFiltersByCauseMerchantDeclarationAndTime) {
  const int64_t decl = AddOne(testing::PlainOrder("A1")).id;
  const int64_t a = Raise("FAIL", "111", decl, 1000);
  const int64_t b = Raise("merchant_held", "222", std::nullopt, 2000);
  const int64_t c = Raise("attention", "111", decl, 3000);
  EXPECT_EQ(Ids({}), (std::vector<int64_t>{c, b, a}));

  AlertFilter f;
  f.cause = "FAIL";
  EXPECT_EQ(Ids(f), (std::vector<int64_t>{a}));
  f = {};
  f.mchid = "111";
  EXPECT_EQ(Ids(f), (std::vector<int64_t>{c, a}));
  f = {};
  f.declaration_id = decl;
  EXPECT_EQ(Ids(f), (std::vector<int64_t>{c, a}));
  f = {};
  f.created_since = 2000;
  f.created_until = 3000;
  EXPECT_EQ(Ids(f), (std::vector<int64_t>{b}));

  auto all = ListAlerts(*db_, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->back().details, R"({"n":1})");
  EXPECT_FALSE(all->back().mchid.empty());
  EXPECT_FALSE(all->at(1).declaration_id.has_value());
}

TEST_F(AlertListTest, PagesByKeySoANewAlertDoesNotShiftThePage) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Raise("FAIL", "111", std::nullopt, 1000 + i));
  AlertFilter f;
  f.limit = 2;
  EXPECT_EQ(Ids(f), (std::vector<int64_t>{ids[4], ids[3]}));
  Raise("FAIL", "111", std::nullopt, 9000);
  f.before_id = ids[3];
  EXPECT_EQ(Ids(f), (std::vector<int64_t>{ids[2], ids[1]}));
}

TEST_F(AlertListTest, AcknowledgedAlertsLeaveTheOpenListAndKeepWhoAndWhen) {
  const int64_t a = Raise("FAIL", "111", std::nullopt, 1000);
  const int64_t b = Raise("FAIL", "111", std::nullopt, 2000);
  auto ack = AcknowledgeAlerts(*db_, {a}, "alice", 5000);
  ASSERT_TRUE(ack.ok()) << ack.status().message();
  EXPECT_EQ(ack->acknowledged, (std::vector<int64_t>{a}));
  EXPECT_EQ(Ids({}), (std::vector<int64_t>{b}));

  AlertFilter all;
  all.include_acknowledged = true;
  auto rows = ListAlerts(*db_, all);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->at(1).acknowledged_by, "alice");
  EXPECT_EQ(rows->at(1).acknowledged_at, 5000);

  // A second acknowledgement keeps the first one's name and time.
  ack = AcknowledgeAlerts(*db_, {a, b}, "bob", 6000);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->acknowledged, (std::vector<int64_t>{b}));
  ASSERT_EQ(ack->earlier.size(), 1u);
  EXPECT_EQ(ack->earlier[0].acknowledged_by, "alice");
  rows = ListAlerts(*db_, all);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->at(1).acknowledged_by, "alice");
  EXPECT_EQ(rows->at(0).acknowledged_by, "bob");
}

TEST_F(AlertListTest, AnUnknownIdAcknowledgesNoneOfTheOthers) {
  const int64_t a = Raise("FAIL", "111", std::nullopt, 1000);
  auto ack = AcknowledgeAlerts(*db_, {a, a + 100}, "alice", 5000);
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.status().code(), StatusCode::kNotFound);
  EXPECT_NE(ack.status().message().find(std::to_string(a + 100)), std::string::npos);
  EXPECT_EQ(Ids({}), (std::vector<int64_t>{a}));
}

TEST_F(AlertListTest, AcknowledgeMatchingTakesEveryOpenMatchWhateverTheLimit) {
  const int64_t a = Raise("FAIL", "111", std::nullopt, 1000);
  const int64_t b = Raise("attention", "111", std::nullopt, 2000);
  const int64_t c = Raise("FAIL", "222", std::nullopt, 3000);
  AlertFilter f;
  f.cause = "FAIL";
  f.limit = 1;
  f.before_id = c;  // ignored: a bulk acknowledgement is not paged
  auto ids = AcknowledgeMatching(*db_, f, "alice", 5000);
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  EXPECT_EQ(*ids, (std::vector<int64_t>{a, c}));
  EXPECT_EQ(Ids({}), (std::vector<int64_t>{b}));
  ids = AcknowledgeMatching(*db_, f, "bob", 6000);
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->empty());
}

}  // namespace
}  // namespace customsd
