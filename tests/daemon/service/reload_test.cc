// SIGHUP's reload swaps every MerchantApi while workers are mid-request. The requests here are
// held inside the transport (their CustomsClient, ApiCaller and signer in use) across each
// swap; under AddressSanitizer a client freed from under a worker is a heap-use-after-free.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "daemon/config/config.h"
#include "daemon/merchants/merchant_directory.h"
#include "daemon/service/service_setup.h"
#include "daemon/workflow/engine.h"
#include "storage/certificate_cache.h"
#include "storage/declaration_store.h"
#include "tests/daemon/workflow/fake_wechat.h"
#include "tests/daemon/workflow/workflow_fixture.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/test_config.h"

namespace customsd {
namespace {

using std::chrono::seconds;

constexpr int kInFlight = 16;
constexpr int kReloads = 100;
constexpr int kLetThroughPerReload = 4;  // Dispatch refills once a quarter of the workers idle
constexpr int kDeclarations = kInFlight + kReloads * kLetThroughPerReload;

// Holds each request until the test lets it through, and counts those held.
class Valve {
 public:
  void Hold() {
    std::unique_lock<std::mutex> lock(mu_);
    ++held_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_ || permits_ > 0; });
    if (!open_) --permits_;
    --held_;
  }
  void Let(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    permits_ += n;
    cv_.notify_all();
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool WaitUntilHeld(int n, std::chrono::seconds within) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, within, [&] { return held_ == n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int held_ = 0;
  int permits_ = 0;
  bool open_ = false;
};

// Counts the jobs the workers have finished (the engine's on_done).
class Finished {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    cv_.notify_all();
  }
  bool WaitFor(int n, std::chrono::seconds within) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, within, [&] { return count_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        testing::CachePlatformCertificate(cache_, platform_, UnixMillis(clock_.Now())));
    auto config = LoadConfig(install_.config_path());
    ASSERT_TRUE(config.ok()) << config.status().message();
    config_ = std::move(config).value();
    ASSERT_TRUE(
        LoadMerchants(config_, wechat_.transport(), clock_, cache_, merchants_, nullptr).ok());
    wechat_.SetIntercept([this](const HttpRequest&) -> std::optional<TransportResult> {
      valve_.Hold();
      return std::nullopt;  // then answered as WeChat would
    });
    EngineOptions options;
    options.max_in_flight = kInFlight;
    options.requests_per_second = 1e6;  // the fake clock stands still: no pacing
    options.seed = 7;
    engine_ = std::make_unique<Engine>(options, testing::TestSettings(), *db_,
                                       WorkerDatabaseFactory(install_.db_path()),
                                       ClientsOf(merchants_), clock_);
  }

  void TearDown() override {
    valve_.Open();  // a failed assertion must not leave workers held
    engine_.reset();
  }

  testing::TestInstall install_;
  FakeClock clock_{testing::TestEpoch()};
  std::unique_ptr<Database> db_ = testing::OpenMigrated(install_.db_path());
  CertificateCache cache_{*db_};
  testing::PlatformSigner platform_;
  Valve valve_;
  testing::FakeWeChat wechat_{clock_};
  Config config_;
  MerchantDirectory merchants_;
  Finished finished_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(ReloadTest, ReloadsWhileRequestsAreInFlightLoseNoRequestAndFreeNoClientInUse) {
  DeclarationStore store(*db_, clock_);
  std::vector<DeclarationFields> batch;
  for (int i = 0; i < kDeclarations; ++i) {
    batch.push_back(testing::PlainOrder("R" + std::to_string(i)));
  }
  auto added = store.Add(batch);
  ASSERT_TRUE(added.ok() && added->committed);
  ASSERT_TRUE(engine_->StartWorkers([this](bool) { finished_.Add(); }).ok());

  // Weak, so the test itself keeps no MerchantApi alive.
  const std::weak_ptr<MerchantApi> first = merchants_.Find(testing::kTestMchid);
  for (int reload = 0; reload < kReloads; ++reload) {
    engine_->Dispatch();
    ASSERT_TRUE(valve_.WaitUntilHeld(kInFlight, seconds(30)))
        << "reload " << reload << ": " << kInFlight << " requests never were in flight";
    // The jobs dispatched last looked their client up from this one.
    const std::weak_ptr<MerchantApi> before = merchants_.Find(testing::kTestMchid);
    ReloadService(install_.config_path(), config_, wechat_.transport(), clock_, cache_, merchants_,
                  nullptr);
    ASSERT_NE(merchants_.Find(testing::kTestMchid), before.lock()) << "reload " << reload;
    EXPECT_FALSE(before.expired())
        << "reload " << reload << ": the replaced client was freed while in use";
    valve_.Let(kLetThroughPerReload);
    ASSERT_TRUE(finished_.WaitFor((reload + 1) * kLetThroughPerReload, seconds(30)))
        << "reload " << reload;
  }
  valve_.Open();
  engine_->Dispatch();  // the last few declarations
  ASSERT_TRUE(finished_.WaitFor(kDeclarations, seconds(30)));
  EXPECT_EQ(engine_->StopWorkers(seconds(30)), 0);
  engine_->JoinWorkers();

  // Every declare went out once and its answer was recorded: each declaration now polls.
  EXPECT_EQ(wechat_.Count("declare"), kDeclarations);
  EXPECT_EQ(engine_->counters().jobs, kDeclarations);
  EXPECT_EQ(engine_->counters().conflicts, 0);
  auto polling = store.CountInPhases({Phase::kPoll});
  ASSERT_TRUE(polling.ok());
  EXPECT_EQ(*polling, kDeclarations);
  // Shared, not leaked: once no job holds it, a replaced client goes.
  EXPECT_TRUE(first.expired());
}

}  // namespace
}  // namespace customsd
