// End-to-end: the real `customsd` binary against the real `wechatpay-mock`, both as child
// processes on loopback, with 200 declarations of known scenarios and the mock's faults on.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/run_cli.h"
#include "tests/support/test_config.h"

namespace customsd::testing {

enum class Scenario { kSuccess, kFail, kExceptOnce, kExceptForever, kParamError };

struct Expected {
  std::string state;
  std::string phase;
};
Expected ExpectedFor(Scenario s);

class EndToEndTest : public ::testing::Test {
 protected:
  // Starts the mock with `faults` (extra flags) and writes the daemon's config for it.
  void StartMock(const std::vector<std::string>& faults);
  void StopMock();
  // Writes 200 declarations (see e2e_fixture.cc for the mix) and declares them.
  void DeclareScenarios();
  // Declares `jsonl` (lines made by DeclarationLine) with `customsd declare`; every order in
  // it is expected to succeed.
  void DeclareAllSuccess(const std::string& jsonl);
  // Starts `customsd run` and waits until it logs that it is ready (so a signal sent next
  // meets its signal handling, not the default action of a process still starting).
  std::unique_ptr<ChildProcess> StartDaemon(bool wait_ready = true);
  // Starts the daemon `kills` times and SIGKILLs it after a random 200-1500 ms each time
  // (random from `seed`); fails the test if it exits by itself.
  void KillAtRandomMoments(int kills, uint32_t seed);
  // Waits until no declaration is unfinished; false at the deadline.
  bool WaitSettled(std::chrono::seconds deadline);
  // Waits until `done()` (read from the database the daemon writes as it goes); false at the
  // deadline.
  bool WaitUntil(const std::function<bool()>& done,
                 std::chrono::seconds deadline = std::chrono::seconds(30));
  // The real binary: `customsd -c CONFIG args...`.
  CliResult Cli(std::vector<std::string> args);
  // Checks every declaration's state and phase against its scenario.
  void ExpectScenarioOutcomes();
  // The mock's /mock/stats.
  nlohmann::json MockStats();
  // Zero conflicting declares, and no declare after WeChat had accepted the order.
  void ExpectNoDuplicateDeclares();
  int64_t Count(const std::string& sql);
  std::string DaemonLog() const;

  // The database the helpers read: the install's, unless a test moved it (db_path_).
  const std::string& DbPath() const { return db_path_.empty() ? install_.db_path() : db_path_; }

  TestInstall install_;
  std::string db_path_;
  std::unique_ptr<ChildProcess> mock_;
  int mock_port_ = 0;
  std::map<std::string, Scenario> scenarios_;  // by out_trade_no
  int64_t declared_ = 0;                        // rows the declare stored
};

// One JSON Lines record of order `out_trade_no` (its payment numbered n), split when `sub` is
// given.
std::string DeclarationLine(const std::string& out_trade_no, int n, const std::string& sub = "");

}  // namespace customsd::testing
