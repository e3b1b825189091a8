// The real daemon against the real mock, which refuses every declare at one customs with 403
// NOAUTH until the merchant registers there (--noauth-customs, POST /mock/register-customs):
// only that customs waits, with one alert however often the probe is refused; an operator's
// modify of the held declaration is taken, and the probe after the registration sends it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <thread>

#include "tests/e2e/e2e_fixture.h"

namespace customsd {
namespace {

using std::chrono::seconds;

using CustomsHoldEndToEndTest = testing::EndToEndTest;

constexpr const char* kHeldCustoms = "NINGBO";

TEST_F(CustomsHoldEndToEndTest, ANoAuthCustomsWaitsAloneWithOneAlertAndAModifyGoesOutAfterIt) {
  StartMock({"--noauth-customs", kHeldCustoms});
  std::string jsonl;
  for (int i = 0; i < 20; ++i) jsonl += testing::DeclarationLine("OTHER" + std::to_string(i), i);
  nlohmann::json held = nlohmann::json::parse(testing::DeclarationLine("HELD1", 20));
  held["customs"] = kHeldCustoms;
  jsonl += held.dump() + "\n";
  testing::WriteFile(install_.File("orders.jsonl"), jsonl);
  auto cli = [&](std::vector<std::string> args) { return Cli(std::move(args)); };
  ASSERT_EQ(cli({"declare", "--file", install_.File("orders.jsonl")}).code, 0);
  // Until `sql` counts `want` or more.
  auto wait_for = [&](const std::string& sql, int64_t want) {
    return WaitUntil([&] { return Count(sql) >= want; });
  };
  auto daemon = StartDaemon();

  // The other customs settles while HELD1 waits, refused at every probe (every 500 ms here).
  ASSERT_TRUE(
      wait_for("SELECT count(*) FROM declarations WHERE customs = 'SHANGHAI_ZS' AND "
               "state = 'SUCCESS' AND phase = 'done'",
               20))
      << DaemonLog();
  ASSERT_TRUE(
      wait_for("SELECT count(*) FROM events e JOIN declarations d ON "
               "d.id = e.declaration_id WHERE d.out_trade_no = 'HELD1' AND "
               "e.kind = 'customs_held'",
               3))
      << DaemonLog();
  EXPECT_EQ(Count("SELECT count(*) FROM declarations WHERE out_trade_no = 'HELD1' AND "
                  "phase = 'submit' AND last_error_code = 'NOAUTH' AND check_first = 0"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM alerts"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM alerts WHERE cause = 'customs_held' AND "
                  "summary LIKE '%at customs NINGBO%' AND summary LIKE '%NOAUTH%'"),
            1);

  // The operator corrects it while it is held. A probe may be on its way at that moment (a send
  // in doubt, or a row that changed under the command): then the command says to run it again.
  testing::CliResult modify;
  for (int tries = 0; tries < 50; ++tries) {
    modify = cli({"modify", "HELD1", "--merchant-customs-no", "3120960ZK2"});
    if (modify.code != 1) break;
  }
  ASSERT_EQ(modify.code, 0) << modify.out << modify.err;
  EXPECT_EQ(modify.err.find("may have reached WeChat"), std::string::npos) << modify.err;

  httplib::Client mock("127.0.0.1", mock_port_);
  auto registered = mock.Post("/mock/register-customs", "", "application/json");
  ASSERT_TRUE(registered && registered->status == 200);
  ASSERT_TRUE(
      wait_for("SELECT count(*) FROM declarations WHERE out_trade_no = 'HELD1' AND "
               "state = 'SUCCESS' AND phase = 'done' AND "
               "merchant_customs_no = '3120960ZK2'",
               1))
      << DaemonLog();
  EXPECT_EQ(Count("SELECT count(*) FROM alerts"), 1);  // lifting a hold alerts nobody

  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(15)), 0);
  ExpectNoDuplicateDeclares();
  StopMock();
}

}  // namespace
}  // namespace customsd
