// Fault injection of the fake WeChat Pay server: every kind is observable from the client side,
// refusing faults leave the server untouched while spoiling ones apply the request first, and
// decisions are a pure function of the seed (so runs reproduce).
#include "tests/mock/mock_faults.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "tests/mock/mock_test_fixture.h"

namespace customsd::mock::testing {
namespace {

FaultRates Only(FaultKind kind) {
  FaultRates r;
  switch (kind) {
    case FaultKind::kSystemError:
      r.system_error = 1;
      break;
    case FaultKind::kRateLimited:
      r.rate_limited = 1;
      break;
    case FaultKind::kUnavailable:
      r.unavailable = 1;
      break;
    case FaultKind::kHang:
      r.hang = 1;
      break;
    case FaultKind::kReset:
      r.reset = 1;
      break;
    case FaultKind::kTruncate:
      r.truncate = 1;
      break;
    case FaultKind::kBadSignature:
      r.bad_signature = 1;
      break;
    case FaultKind::kNoSignature:
      r.no_signature = 1;
      break;
    case FaultKind::kSignTest:
      r.sign_test = 1;
      break;
    case FaultKind::kNone:
      break;
  }
  return r;
}

TEST(DecideFault, IsAPureFunctionOfItsInputs) {
  FaultRates rates;
  rates.system_error = 0.1;
  rates.reset = 0.2;
  rates.sign_test = 0.1;
  for (uint64_t n = 0; n < 200; ++n) {
    EXPECT_EQ(DecideFault(rates, 7, "declare", "k", n), DecideFault(rates, 7, "declare", "k", n));
  }
  EXPECT_EQ(DecideFault(FaultRates{}, 7, "declare", "k", 0), FaultKind::kNone);
  EXPECT_EQ(DecideFault(Only(FaultKind::kTruncate), 7, "declare", "k", 3), FaultKind::kTruncate);
}

TEST(DecideFault, FollowsTheRates) {
  FaultRates rates;
  rates.system_error = 0.1;
  rates.hang = 0.3;
  int system_errors = 0;
  int hangs = 0;
  int none = 0;
  for (uint64_t n = 0; n < 20000; ++n) {
    switch (DecideFault(rates, 1, "query", "order-" + std::to_string(n % 97), n)) {
      case FaultKind::kSystemError:
        ++system_errors;
        break;
      case FaultKind::kHang:
        ++hangs;
        break;
      case FaultKind::kNone:
        ++none;
        break;
      default:
        ADD_FAILURE() << "a fault with rate 0 was chosen";
    }
  }
  EXPECT_NEAR(system_errors / 20000.0, 0.1, 0.015);
  EXPECT_NEAR(hangs / 20000.0, 0.3, 0.015);
  EXPECT_NEAR(none / 20000.0, 0.6, 0.015);
}

class MockFaultsTest : public MockFixture {
 protected:
  // The outcome of a scripted run as the client sees it, one line per declare + query.
  std::vector<std::string> ScriptedRun() {
    std::vector<std::string> seen;
    for (int round = 0; round < 4; ++round) {
      for (int order = 0; order < 6; ++order) {
        const std::string no = "R" + std::to_string(order);
        const std::string txn = "1000320306201511078440737" + std::to_string(100 + order);
        Exchange d = Declare(DeclareBody(no, {}, txn));
        Exchange q = Query(no);
        seen.push_back(std::to_string(d.status) + d.Code() + "/" +
                       std::string(ToString(Verdict(d))) + " " + std::to_string(q.status) +
                       q.Code() + "/" + std::string(ToString(Verdict(q))));
      }
    }
    return seen;
  }
};

TEST_F(MockFaultsTest, RefusingFaultsDoNotApplyTheRequest) {
  const std::vector<std::tuple<FaultKind, int, std::string>> kinds = {
      {FaultKind::kSystemError, 500, "SYSTEMERROR"},
      {FaultKind::kRateLimited, 429, "FREQUENCY_LIMITED"},
      {FaultKind::kUnavailable, 503, "SERVICE_UNAVAILABLE"}};
  for (const auto& [kind, status, code] : kinds) {
    StartServer([kind = kind](MockOptions& o) { o.faults = Only(kind); });
    Exchange x = Declare(DeclareBody("A1"));
    EXPECT_EQ(x.status, status);
    EXPECT_EQ(x.Code(), code);
    EXPECT_EQ(Verdict(x), VerifyVerdict::kOk);
    server_->SetFaultRates({});
    EXPECT_EQ(Query("A1").status, 404) << "a refused declare must not exist";
    const MockStats s = server_->Stats();
    EXPECT_EQ(s.Counters(Key("A1")).declares_received, 1);
    EXPECT_EQ(s.Counters(Key("A1")).declares_accepted, 0);
    EXPECT_EQ(s.Of(Endpoint::kDeclare).Faults(kind), 1);
  }
}

TEST_F(MockFaultsTest, SpoilingFaultsApplyTheRequestFirst) {
  for (FaultKind kind : {FaultKind::kReset, FaultKind::kTruncate, FaultKind::kBadSignature,
                         FaultKind::kNoSignature, FaultKind::kSignTest}) {
    SCOPED_TRACE(std::string(ToString(kind)));
    StartServer([kind](MockOptions& o) { o.faults = Only(kind); });
    Exchange x = Declare(DeclareBody("A1"));
    switch (kind) {
      case FaultKind::kReset:
        // Nothing at all came back.
        EXPECT_EQ(x.status, 0);
        EXPECT_NE(x.error, httplib::Error::Success);
        break;
      case FaultKind::kTruncate:
        EXPECT_EQ(x.status, 0);
        EXPECT_EQ(x.error, httplib::Error::Read);
        break;
      case FaultKind::kBadSignature:
        EXPECT_EQ(x.status, 200);
        EXPECT_EQ(Verdict(x), VerifyVerdict::kBadSignature);
        break;
      case FaultKind::kNoSignature:
        EXPECT_EQ(x.status, 200);
        EXPECT_TRUE(x.Header("Wechatpay-Signature").empty());
        EXPECT_EQ(Verdict(x), VerifyVerdict::kMissingHeader);
        break;
      case FaultKind::kSignTest:
        EXPECT_EQ(x.status, 200);
        EXPECT_TRUE(x.Header("Wechatpay-Signature").starts_with("WECHATPAY/SIGNTEST/"));
        EXPECT_EQ(Verdict(x), VerifyVerdict::kSignTestProbe);
        break;
      default:
        break;
    }
    server_->SetFaultRates({});
    Exchange q = Query("A1");
    EXPECT_EQ(q.status, 200) << "the spoiled declare was applied";
    const MockStats s = server_->Stats();
    EXPECT_EQ(s.Counters(Key("A1")).declares_accepted, 1);
    EXPECT_EQ(s.Of(Endpoint::kDeclare).Faults(kind), 1);
    EXPECT_EQ(s.TotalFaults(kind), 1);
  }
}

TEST_F(MockFaultsTest, HangOutlastsTheClientAndEndsOnStop) {
  StartServer([](MockOptions& o) { o.faults = Only(FaultKind::kHang); });
  read_timeout_ = std::chrono::milliseconds(300);
  Exchange x = Declare(DeclareBody("A1"));
  EXPECT_EQ(x.status, 0);
  EXPECT_EQ(x.error, httplib::Error::Read);
  EXPECT_EQ(server_->Stats().Counters(Key("A1")).declares_accepted, 1);
  EXPECT_EQ(server_->Stats().Of(Endpoint::kDeclare).Faults(FaultKind::kHang), 1);
  // The handler is still hanging (for ten minutes); Stop must end it at once.
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(MockFaultsTest, LatencyIsAdded) {
  StartServer([](MockOptions& o) { o.latency = std::chrono::milliseconds(200); });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Declare(DeclareBody("A1")).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST_F(MockFaultsTest, CertificatesCanBeExempt) {
  StartServer([](MockOptions& o) {
    o.faults = Only(FaultKind::kSystemError);
    o.faults_on_certificates = false;
  });
  EXPECT_EQ(Send("GET", Api("/certificates")).status, 200);
  EXPECT_EQ(Declare(DeclareBody("A1")).status, 500);
}

TEST_F(MockFaultsTest, TheSameSeedGivesTheSameDecisions) {
  auto tweak = [](uint64_t seed) {
    return [seed](MockOptions& o) {
      o.seed = seed;
      o.faults.system_error = 0.15;
      o.faults.rate_limited = 0.1;
      o.faults.unavailable = 0.1;
      o.faults.bad_signature = 0.1;
      o.faults.sign_test = 0.1;
    };
  };
  StartServer(tweak(42));
  const std::vector<std::string> first = ScriptedRun();
  const MockStats first_stats = server_->Stats();
  StartServer(tweak(42));
  EXPECT_EQ(first, ScriptedRun());
  EXPECT_EQ(first_stats.Of(Endpoint::kDeclare).faults,
            server_->Stats().Of(Endpoint::kDeclare).faults);

  // And each declare got the fault DecideFault predicts for that order's n-th declare.
  MockOptions o;
  tweak(42)(o);
  for (int round = 0; round < 4; ++round) {
    for (int order = 0; order < 6; ++order) {
      const std::string no = "R" + std::to_string(order);
      const FaultKind kind = DecideFault(o.faults, 42, "declare", Key(no), round);
      const std::string expected = kind == FaultKind::kSystemError   ? "500SYSTEMERROR/"
                                   : kind == FaultKind::kRateLimited ? "429FREQUENCY_LIMITED/"
                                   : kind == FaultKind::kUnavailable ? "503SERVICE_UNAVAILABLE/"
                                                                     : "200/";
      const VerifyVerdict verdict = kind == FaultKind::kBadSignature ? VerifyVerdict::kBadSignature
                                    : kind == FaultKind::kSignTest   ? VerifyVerdict::kSignTestProbe
                                                                     : VerifyVerdict::kOk;
      const std::string& line = first[static_cast<size_t>(round * 6 + order)];
      EXPECT_TRUE(line.starts_with(expected + std::string(ToString(verdict)) + " "))
          << line << " round " << round << " order " << order;
    }
  }
  EXPECT_GT(first_stats.Of(Endpoint::kDeclare).faults.size(), 1u) << "the run saw faults";

  StartServer(tweak(7));
  EXPECT_NE(first, ScriptedRun()) << "another seed, other decisions";
}

TEST_F(MockFaultsTest, DecisionsDoNotDependOnThreadInterleaving) {
  auto tweak = [](MockOptions& o) {
    o.seed = 99;
    o.faults.system_error = 0.2;
    o.faults.rate_limited = 0.2;
    o.faults.bad_signature = 0.2;
  };
  // Each order's outcome sequence, driven by one thread per order, all at once.
  auto run = [&](bool concurrent) {
    StartServer(tweak);
    std::vector<std::string> outcomes(4);
    auto drive = [&](int order) {
      const std::string no = "T" + std::to_string(order);
      const std::string txn = "1000320306201511078440737" + std::to_string(100 + order);
      for (int round = 0; round < 8; ++round) {
        Exchange d = Declare(DeclareBody(no, {}, txn));
        outcomes[static_cast<size_t>(order)] +=
            std::to_string(d.status) + std::string(ToString(Verdict(d))) + " ";
      }
    };
    if (concurrent) {
      std::vector<std::thread> threads;
      for (int order = 0; order < 4; ++order) threads.emplace_back(drive, order);
      for (std::thread& t : threads) t.join();
    } else {
      for (int order = 0; order < 4; ++order) drive(order);
    }
    return outcomes;
  };
  EXPECT_EQ(run(false), run(true));
}

}  // namespace
}  // namespace customsd::mock::testing
