// A migrated database in a temp dir, a fake clock and a store: what most storage tests need.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "storage/certificate_cache.h"
#include "storage/database.h"
#include "storage/declaration_store.h"
#include "storage/migrator.h"
#include "tests/support/fake_transport.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_config.h"

namespace customsd::testing {

inline DeclarationFields PlainOrder(const std::string& out_trade_no,
                                    const std::string& customs = "SHANGHAI_ZS") {
  DeclarationFields f;
  f.appid = kTestAppid;
  f.mchid = kTestMchid;
  f.out_trade_no = out_trade_no;
  f.transaction_id = "1000320306201511078440737890";
  f.customs = customs;
  f.merchant_customs_no = "123456";
  f.duty = 888;
  return f;
}

inline DeclarationFields SplitOrder(const std::string& out_trade_no, const std::string& sub) {
  DeclarationFields f = PlainOrder(out_trade_no);
  f.duty.reset();
  f.sub_order_no = sub;
  f.fee_type = "CNY";
  f.order_fee = 1000;
  f.transport_fee = 200;
  f.product_fee = 800;
  return f;
}

// The platform certificate as a previous run left it in the cache (valid a day ago to a year
// on), so merchants built from a config verify answers without downloading anything.
inline void CachePlatformCertificate(CertificateCache& cache, const PlatformSigner& platform,
                                     int64_t now_ms) {
  ASSERT_TRUE(cache
                  .Save(kTestMchid,
                        {{platform.serial, now_ms - 86'400'000LL, now_ms + 86'400'000LL * 365,
                          platform.certificate_pem}},
                        now_ms)
                  .ok());
}

inline std::unique_ptr<Database> OpenMigrated(const std::string& path) {
  auto db = Database::Open(path);
  EXPECT_TRUE(db.ok()) << db.status().message();
  auto report = MigrateToLatest(**db);
  EXPECT_TRUE(report.ok()) << report.status().message();
  return std::move(db).value();
}

class StoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  FakeClock clock_{TestEpoch()};
  std::unique_ptr<Database> db_ = OpenMigrated(dir_.File("customsd.db"));
  DeclarationStore store_{*db_, clock_};

  DeclarationRecord AddOne(const DeclarationFields& f) {
    auto report = store_.Add({f});
    EXPECT_TRUE(report.ok() && report->committed);
    auto found = store_.Find(KeyOf(f));
    EXPECT_TRUE(found.ok() && found->has_value());
    return **found;
  }
};

}  // namespace customsd::testing
