#include "common/backoff.h"

#include <gtest/gtest.h>

#include "daemon/workflow/merchant_holds.h"
#include "daemon/workflow/token_bucket.h"

namespace customsd {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class FixedRandom final : public Random {
 public:
  explicit FixedRandom(double v) : v_(v) {}
  double Uniform() override { return v_; }

 private:
  double v_;
};

const BackoffConfig kRetry{seconds(10), seconds(3600), 2.0};

TEST(BackoffTest, GrowsByTheMultiplierUpToTheCap) {
  EXPECT_EQ(BackoffCap(kRetry, 1), seconds(10));
  EXPECT_EQ(BackoffCap(kRetry, 2), seconds(20));
  EXPECT_EQ(BackoffCap(kRetry, 5), seconds(160));
  EXPECT_EQ(BackoffCap(kRetry, 9), seconds(2560));
  EXPECT_EQ(BackoffCap(kRetry, 10), seconds(3600));
  EXPECT_EQ(BackoffCap(kRetry, 10000), seconds(3600));  // no overflow
  EXPECT_EQ(BackoffCap(kRetry, 0), seconds(10));
}

TEST(BackoffTest, FullJitterSpansZeroToTheCap) {
  FixedRandom low(0.0), high(0.999999);
  EXPECT_EQ(FullJitter(kRetry, 3, low), milliseconds(0));
  EXPECT_GE(FullJitter(kRetry, 3, high), seconds(39));
  EXPECT_LE(FullJitter(kRetry, 3, high), seconds(40));
  SeededRandom random(7);
  for (int attempt = 1; attempt < 20; ++attempt) {
    milliseconds d = FullJitter(kRetry, attempt, random);
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d, BackoffCap(kRetry, attempt));
  }
}

TEST(BackoffTest, EqualJitterStaysInTheUpperHalf) {
  FixedRandom low(0.0), high(0.999999);
  EXPECT_EQ(EqualJitter(kRetry, 2, low), seconds(10));
  EXPECT_LE(EqualJitter(kRetry, 2, high), seconds(20));
  EXPECT_GE(EqualJitter(kRetry, 2, high), milliseconds(19999));
}

TEST(BackoffTest, TheSameSeedGivesTheSameDelays) {
  SeededRandom a(99), b(99);
  for (int i = 1; i < 10; ++i) EXPECT_EQ(FullJitter(kRetry, i, a), FullJitter(kRetry, i, b));
}

TEST(TokenBucketTest, AllowsABurstThenPacesAtTheRate) {
  TokenBucket bucket(10, 2);
  EXPECT_EQ(bucket.Reserve(0), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(0), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(0), milliseconds(100));   // third waits for the next token
  EXPECT_EQ(bucket.Reserve(0), milliseconds(200));   // and the fourth behind it
  EXPECT_EQ(bucket.Reserve(1000), milliseconds(0));  // refilled after a second
}

TEST(TokenBucketTest, ARateLimitHalvesTheRateThenItRecoversOverTheCoolDown) {
  TokenBucket bucket(100, 5);
  bucket.SlowDown(0, seconds(10));
  EXPECT_EQ(bucket.rate(0), 50);
  bucket.SlowDown(500, seconds(10));        // the same burst of 429s: counted once
  EXPECT_NEAR(bucket.rate(500), 55, 1e-9);  // and 0.5 s of recovery at 10/s
  bucket.SlowDown(1500, seconds(10));
  EXPECT_NEAR(bucket.rate(1500), 32.5, 1e-9);  // (55 + 10) / 2
  EXPECT_EQ(bucket.rate(20'000), 100);         // fully back
}

TEST(TokenBucketTest, SlowingDownStopsAtATenthOfTheRate) {
  TokenBucket bucket(100, 5);
  // Twenty halvings a second apart; recovery over 1000 s adds only 0.1/s meanwhile.
  for (int i = 0; i < 20; ++i) bucket.SlowDown(i * 1000, seconds(1000));
  EXPECT_GE(bucket.rate(19'000), 10);
  EXPECT_LT(bucket.rate(19'000), 10.2);
  TokenBucket slow(1.5, 1);
  slow.SlowDown(0);
  EXPECT_EQ(slow.rate(0), 1);  // never below one request per second
}

TEST(MerchantHoldsTest, AHeldMerchantGetsOneProbePerInterval) {
  MerchantHolds holds(seconds(60));
  const HoldScope m{"m", ""};
  EXPECT_FALSE(holds.Holding("m", "X", /*send=*/false));
  EXPECT_TRUE(holds.Hold(m, "SIGN_ERROR", 0));
  EXPECT_FALSE(holds.Hold(m, "SIGN_ERROR", 10));          // already held: not a new hold
  EXPECT_EQ(holds.Holding("m", "X", /*send=*/false), m);  // every step, at every customs
  EXPECT_FALSE(holds.TakeProbe(m, 30'000));
  EXPECT_TRUE(holds.TakeProbe(m, 70'000));   // the probe
  EXPECT_FALSE(holds.TakeProbe(m, 70'001));  // only one
  EXPECT_FALSE(holds.Holding("other", "X", /*send=*/true));
  EXPECT_EQ(holds.Cause("m"), "SIGN_ERROR");
  EXPECT_TRUE(holds.Release(m));
  EXPECT_FALSE(holds.Release(m));
  EXPECT_FALSE(holds.Holding("m", "X", /*send=*/true));
}

TEST(MerchantHoldsTest, ACustomsHoldStopsOnlySendsToThatCustoms) {
  MerchantHolds holds(seconds(60));
  const HoldScope a{"m", "A"};
  EXPECT_TRUE(holds.Hold(a, "NO_AUTH", 0));
  EXPECT_EQ(holds.Holding("m", "A", /*send=*/true), a);
  EXPECT_FALSE(holds.Holding("m", "A", /*send=*/false));  // polls go on
  EXPECT_FALSE(holds.Holding("m", "B", /*send=*/true));   // other customs go on
  EXPECT_FALSE(holds.Cause("m"));
  EXPECT_EQ(holds.Cause("m", "A"), "NO_AUTH");
  EXPECT_EQ(holds.merchants(), 0u);
  EXPECT_EQ(holds.customs_pairs(), 1u);
  // A whole-merchant hold comes first.
  EXPECT_TRUE(holds.Hold({"m", ""}, "SIGN_ERROR", 0));
  EXPECT_EQ(holds.Holding("m", "A", /*send=*/true), (HoldScope{"m", ""}));
  EXPECT_EQ(holds.size(), 2u);
}

TEST(MerchantHoldsTest, WaitingDeclarationsAreSkippedUntilTheProbeIsDue) {
  MerchantHolds holds(seconds(60));
  const HoldScope a{"m", "A"};
  holds.Hold(a, "NO_AUTH", 0);
  holds.Wait(a, 7);
  holds.Wait({"m", "B"}, 8);  // not held: not remembered
  std::set<int64_t> skip;
  holds.AddWaiting(30'000, &skip);
  EXPECT_EQ(skip, (std::set<int64_t>{7}));
  skip.clear();
  holds.AddWaiting(60'000, &skip);  // the probe is due: it must be able to find 7
  EXPECT_TRUE(skip.empty());
  holds.Release(a);
  holds.AddWaiting(30'000, &skip);
  EXPECT_TRUE(skip.empty());
}

}  // namespace
}  // namespace customsd
