// End-to-end: the real `customsd` binary against the real `wechatpay-mock`, both as child
// processes on loopback, with 200 declarations of known scenarios and the mock's faults on.
#pragma once

#include <gtest/gtest.h>

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
  // Starts `customsd run` and waits until it logs that it is ready (so a signal sent next
  // meets its signal handling, not the default action of a process still starting).
  std::unique_ptr<ChildProcess> StartDaemon(bool wait_ready = true);
  // Waits until no declaration is unfinished; false at the deadline.
  bool WaitSettled(std::chrono::seconds deadline);
  // Checks every declaration's state and phase against its scenario.
  void ExpectScenarioOutcomes();
  // The mock's /mock/stats.
  nlohmann::json MockStats();
  // Zero conflicting declares, and no declare after WeChat had accepted the order.
  void ExpectNoDuplicateDeclares();
  int64_t Count(const std::string& sql);
  std::string DaemonLog() const;

  TestInstall install_;
  std::unique_ptr<ChildProcess> mock_;
  int mock_port_ = 0;
  std::map<std::string, Scenario> scenarios_;  // by out_trade_no
};

}  // namespace customsd::testing
