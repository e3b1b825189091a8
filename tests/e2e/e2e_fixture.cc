#include "tests/e2e/e2e_fixture.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <random>
#include <thread>

namespace customsd::testing {
namespace {

std::string TransactionId(int n) {
  std::string digits = std::to_string(n);
  return "4200000000" + std::string(18 - digits.size(), '0') + digits;
}

}  // namespace

std::string DeclarationLine(const std::string& out_trade_no, int n, const std::string& sub) {
  nlohmann::json j = {{"out_trade_no", out_trade_no},
                      {"transaction_id", TransactionId(n)},
                      {"customs", "SHANGHAI_ZS"},
                      {"merchant_customs_no", "3120960ZK1"}};
  if (!sub.empty()) {
    j["sub_order_no"] = sub;
    j["fee_type"] = "CNY";
    j["order_fee"] = 1000;
    j["transport_fee"] = 100;
    j["product_fee"] = 900;
  }
  return j.dump() + "\n";
}

Expected ExpectedFor(Scenario s) {
  switch (s) {
    case Scenario::kSuccess:
      return {"SUCCESS", "done"};
    case Scenario::kFail:
      return {"FAIL", "done"};
    case Scenario::kExceptOnce:
      return {"SUCCESS", "done"};
    case Scenario::kExceptForever:
      return {"EXCEPT", "attention"};
    case Scenario::kParamError:
      return {"UNDECLARED", "attention"};
  }
  return {};
}

void EndToEndTest::StartMock(const std::vector<std::string>& faults) {
  std::vector<std::string> argv = {
      CUSTOMSD_MOCK_BINARY,
      "--listen",
      "127.0.0.1:0",
      "--merchant-cert",
      TestInstall::VectorFile("merchant_cert.pem"),
      "--platform-key",
      TestInstall::VectorFile("platform_key.pem"),
      "--platform-cert",
      TestInstall::VectorFile("platform_cert.pem"),
      "--apiv3-key-file",
      TestInstall::VectorFile("apiv3.key"),
      "--seed",
      "7",
      "--exempt-certificates",
  };
  argv.insert(argv.end(), faults.begin(), faults.end());
  mock_ = std::make_unique<ChildProcess>(argv, install_.File("mock.err"));
  ASSERT_TRUE(mock_->started());
  auto line = mock_->ReadLine(std::chrono::seconds(20));
  ASSERT_TRUE(line.has_value()) << "the mock did not start: "
                                << ReadFile(install_.File("mock.err"));
  const size_t colon = line->rfind(':');
  ASSERT_NE(colon, std::string::npos) << *line;
  mock_port_ = std::stoi(line->substr(colon + 1));

  WriteFile(install_.config_path(),
            ReadFile(install_.config_path()) +
                "[wechatpay]\nbase_url = \"http://127.0.0.1:" + std::to_string(mock_port_) +
                "\"\ntimeout = \"1s\"\nmax_in_flight = 16\nrequests_per_second = 400\n"
                "[poll]\nfirst_delay = \"100ms\"\ninitial_interval = \"100ms\"\n"
                "max_interval = \"500ms\"\ndeadline = \"60s\"\n"
                "[retry]\ninitial_interval = \"50ms\"\nmax_interval = \"500ms\"\n"
                "max_attempts = 12\n"
                "[redeclare]\nmax_attempts = 2\ninterval = \"100ms\"\n"
                "[metrics]\nlisten = \"\"\n");
}

void EndToEndTest::StopMock() {
  if (!mock_) return;
  mock_->Signal(SIGTERM);
  mock_->Wait(std::chrono::seconds(10));
}

void EndToEndTest::DeclareScenarios() {
  std::string text;
  int n = 0;
  auto add = [&](const std::string& prefix, int count, Scenario s) {
    for (int i = 0; i < count; ++i, ++n) {
      std::string order = prefix + std::to_string(i);
      scenarios_[order] = s;
      text += DeclarationLine(order, n);
    }
  };
  add("OK", 110, Scenario::kSuccess);
  add("FAIL", 30, Scenario::kFail);
  add("EXCEPTONCE", 20, Scenario::kExceptOnce);
  add("EXCEPT", 10, Scenario::kExceptForever);
  add("PARAMERR", 10, Scenario::kParamError);
  for (int i = 0; i < 10; ++i, ++n) {  // split orders: two sub-orders each
    std::string order = "SPLIT" + std::to_string(i);
    scenarios_[order] = Scenario::kSuccess;
    text += DeclarationLine(order, n, order + "-1") + DeclarationLine(order, n, order + "-2");
  }
  WriteFile(install_.File("declarations.jsonl"), text);
  CliResult r = RunBinary(
      {"-c", install_.config_path(), "declare", "--file", install_.File("declarations.jsonl")});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(Count("SELECT count(*) FROM declarations"), 200);
  declared_ = 200;
}

void EndToEndTest::DeclareAllSuccess(const std::string& jsonl) {
  WriteFile(install_.File("declarations.jsonl"), jsonl);
  for (size_t at = 0; at < jsonl.size();) {
    const size_t end = jsonl.find('\n', at);
    nlohmann::json j = nlohmann::json::parse(jsonl.substr(at, end - at));
    scenarios_[j["out_trade_no"].get<std::string>()] = Scenario::kSuccess;
    ++declared_;
    at = end + 1;
  }
  CliResult r = RunBinary(
      {"-c", install_.config_path(), "declare", "--file", install_.File("declarations.jsonl")});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(Count("SELECT count(*) FROM declarations"), declared_);
}

namespace {
size_t CountOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}
}  // namespace

std::unique_ptr<ChildProcess> EndToEndTest::StartDaemon(bool wait_ready) {
  const size_t ready_before = CountOf(DaemonLog(), "customsd ready");
  auto daemon = std::make_unique<ChildProcess>(
      std::vector<std::string>{CUSTOMSD_BINARY, "-c", install_.config_path(), "run",
                               "--shutdown-seconds", "5"},
      install_.File("daemon.log"), install_.File("daemon.log"));
  EXPECT_TRUE(daemon->started());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (wait_ready && CountOf(DaemonLog(), "customsd ready") == ready_before) {
    if (std::chrono::steady_clock::now() > until ||
        daemon->Wait(std::chrono::milliseconds(20)).has_value()) {
      ADD_FAILURE() << "the daemon did not become ready:\n" << DaemonLog();
      break;
    }
  }
  return daemon;
}

void EndToEndTest::KillAtRandomMoments(int kills, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> moment_ms(200, 1500);
  for (int kill = 0; kill < kills; ++kill) {
    auto daemon = StartDaemon(/*wait_ready=*/false);
    // Runs for a random moment (unless it dies by itself), then SIGKILL.
    auto exited = daemon->Wait(std::chrono::milliseconds(moment_ms(random)));
    ASSERT_FALSE(exited.has_value()) << "daemon exited early:\n" << DaemonLog();
    daemon->Signal(SIGKILL);
    ASSERT_EQ(daemon->Wait(std::chrono::seconds(10)), 128 + SIGKILL);
  }
}

int64_t EndToEndTest::Count(const std::string& sql) {
  SQLite::Database db(DbPath(), SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  SQLite::Statement q(db, sql);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

bool EndToEndTest::WaitSettled(std::chrono::seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (Count("SELECT count(*) FROM declarations WHERE phase IN "
              "('submit', 'poll', 'modify', 'redeclare')") == 0) {
      return true;
    }
    // Polls the condition; the interval only bounds how soon the test notices.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

bool EndToEndTest::WaitUntil(const std::function<bool()>& done, std::chrono::seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    // Polls the condition; the interval only bounds how soon the test notices.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

CliResult EndToEndTest::Cli(std::vector<std::string> args) {
  args.insert(args.begin(), {"-c", install_.config_path()});
  return RunBinary(args);
}

void EndToEndTest::ExpectScenarioOutcomes() {
  SQLite::Database db(DbPath(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db,
                      "SELECT out_trade_no, sub_order_no, state, phase, last_error_code "
                      "FROM declarations");
  int checked = 0;
  while (q.executeStep()) {
    const std::string order = q.getColumn(0).getString();
    auto it = scenarios_.find(order);
    ASSERT_NE(it, scenarios_.end()) << order;
    Expected want = ExpectedFor(it->second);
    EXPECT_EQ(q.getColumn(2).getString(), want.state) << order << " " << q.getColumn(1).getString();
    EXPECT_EQ(q.getColumn(3).getString(), want.phase) << order;
    if (it->second == Scenario::kParamError) {
      EXPECT_EQ(q.getColumn(4).getString(), "PARAM_ERROR") << order;
    }
    ++checked;
  }
  EXPECT_EQ(checked, declared_);
}

nlohmann::json EndToEndTest::MockStats() {
  httplib::Client client("127.0.0.1", mock_port_);
  auto res = client.Get("/mock/stats");
  if (!res || res->status != 200) return nlohmann::json::object();
  return nlohmann::json::parse(res->body, nullptr, false);
}

void EndToEndTest::ExpectNoDuplicateDeclares() {
  nlohmann::json stats = MockStats();
  ASSERT_TRUE(stats.is_object() && !stats.empty()) << "no stats from the mock";
  std::ofstream(install_.File("mock_stats.json")) << stats.dump(2);
  int64_t conflicts = 0, after_accepted = 0;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it.key() == "conflicts" && it->is_number()) conflicts += it->get<int64_t>();
        if (it.key() == "declares_after_acceptance" && it->is_number()) {
          after_accepted += it->get<int64_t>();
        }
        walk(*it);
      }
    } else if (j.is_array()) {
      for (const auto& v : j) walk(v);
    }
  };
  walk(stats);
  EXPECT_EQ(conflicts, 0) << stats.dump();
  EXPECT_EQ(after_accepted, 0) << stats.dump();
}

std::string EndToEndTest::DaemonLog() const { return ReadFile(install_.File("daemon.log")); }

}  // namespace customsd::testing
