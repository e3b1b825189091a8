// customsd watch: --once in-process, and the stream as the real binary, fed through real paths
// (`customsd declare`, and `customsd run` against wechatpay-mock), read with deadlines.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/cli/cli_fixture.h"
#include "tests/e2e/e2e_fixture.h"

namespace customsd {
namespace {

using std::chrono::seconds;
using testing::GoodLine;

class WatchOnceTest : public testing::CliTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(DeclareText("seed.jsonl", GoodLine("P1") + "\n" + GoodLine("P2") + "\n").code, 0);
  }
};

TEST_F(WatchOnceTest, PrintsCountsAndTheLatestTransitionsAndChangesNothing) {
  const std::string before = Snapshot();
  testing::CliResult r = Run({"watch", "--once"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("UNDECLARED  submit  2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("alerts pending: 0"), std::string::npos) << r.out;
  const size_t p1 = r.out.find("2026-11-22T00:00:00Z  1   P1");
  const size_t p2 = r.out.find("2026-11-22T00:00:00Z  2   P2");
  ASSERT_NE(p1, std::string::npos) << r.out;
  ASSERT_NE(p2, std::string::npos) << r.out;
  EXPECT_LT(p1, p2);  // oldest first, like a log
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(WatchOnceTest, JsonIsOneDocumentAndLastLimitsTheEvents) {
  testing::CliResult r = Run({"watch", "--once", "--last", "1", "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["total"], 2);
  ASSERT_EQ(j["counts"].size(), 1u);
  EXPECT_EQ(j["counts"][0]["count"], 2);
  ASSERT_EQ(j["events"].size(), 1u);
  EXPECT_EQ(j["events"][0]["out_trade_no"], "P2");
  EXPECT_EQ(j["events"][0]["kind"], "created");
  EXPECT_EQ(j["events"][0]["to_phase"], "submit");
}

TEST_F(WatchOnceTest, BadOptionsAreExit2) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"watch", "--interval", "2"}, {"watch", "--interval", "10ms"},
           {"watch", "--once", "-o", "csv"}, {"watch", "--last", "-1"}}) {
    testing::CliResult r = Run(args);
    EXPECT_EQ(r.code, 2) << args[1] << " " << args[2] << ": " << r.err;
    EXPECT_EQ(r.out, "");
  }
}

class WatchStreamTest : public testing::EndToEndTest {
 protected:
  std::unique_ptr<testing::ChildProcess> StartWatch(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {CUSTOMSD_BINARY, "-c", install_.config_path(), "watch",
                                     "--interval", "100ms"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto watch = std::make_unique<testing::ChildProcess>(argv, install_.File("watch.err"));
    EXPECT_TRUE(watch->started());
    return watch;
  }

  // The first line of `watch`, already read or read now, that contains every one of `parts`;
  // "" at the deadline. Earlier lines count too: the daemon's steps may land in any order.
  std::string WaitForLine(testing::ChildProcess& watch, const std::vector<std::string>& parts,
                          seconds deadline = seconds(30)) {
    auto matches = [&](const std::string& line) {
      for (const std::string& p : parts) {
        if (line.find(p) == std::string::npos) return false;
      }
      return true;
    };
    for (const std::string& line : lines_) {
      if (matches(line)) return line;
    }
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      std::optional<std::string> line = watch.ReadLine(left);
      if (!line) return "";
      lines_.push_back(*line);
      if (matches(*line)) return *line;
    }
  }

  // Every line read, for failure messages.
  std::string Seen() const {
    std::string all;
    for (const std::string& l : lines_) all += l + "\n";
    return all;
  }

  std::vector<std::string> lines_;
};

std::vector<std::string> Fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

TEST_F(WatchStreamTest, PipedItPrintsOneLinePerNewEventAndStopsOnSigterm) {
  StartMock({});
  DeclareAllSuccess(testing::DeclarationLine("OLD1", 1));
  auto watch = StartWatch({});
  // The counts block comes first, then the header of the event lines.
  ASSERT_NE(WaitForLine(*watch, {"UNDECLARED", "submit", "1"}), "") << Seen();
  ASSERT_NE(WaitForLine(*watch, {"TIME ID OUT_TRADE_NO"}), "") << Seen();

  DeclareAllSuccess(testing::DeclarationLine("NEW1", 2, "NEW1-A"));
  std::string created = WaitForLine(*watch, {" NEW1 ", "created"});
  ASSERT_NE(created, "") << Seen() << testing::ReadFile(install_.File("watch.err"));
  EXPECT_EQ(Fields(created),
            (std::vector<std::string>{Fields(created)[0], "2", "NEW1", "NEW1-A", "SHANGHAI_ZS",
                                      "created", "UNDECLARED", "submit", "-"}));
  EXPECT_EQ(Seen().find("OLD1"), std::string::npos) << "events before the start are not streamed";

  auto daemon = StartDaemon();
  EXPECT_NE(WaitForLine(*watch, {" OLD1 ", "submit->poll"}), "") << Seen() << DaemonLog();
  EXPECT_NE(WaitForLine(*watch, {" NEW1 ", "->SUCCESS", "poll->done"}), "") << Seen();

  watch->Signal(SIGTERM);
  EXPECT_EQ(watch->Wait(seconds(10)), 0) << testing::ReadFile(install_.File("watch.err"));
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(20)), 0) << DaemonLog();
}

TEST_F(WatchStreamTest, JsonLinesStreamStartsWithTheCountsAndStopsOnSigint) {
  // No declaration yet: an empty database is a valid start.
  testing::CliResult migrated = Cli({"migrate"});
  ASSERT_EQ(migrated.code, 0) << migrated.err;
  auto watch = StartWatch({"-o", "jsonl"});
  const std::string counts = WaitForLine(*watch, {"\"total\""});
  ASSERT_NE(counts, "") << Seen() << testing::ReadFile(install_.File("watch.err"));
  EXPECT_EQ(nlohmann::json::parse(counts)["total"], 0);

  DeclareAllSuccess(testing::DeclarationLine("J1", 1));
  const std::string event = WaitForLine(*watch, {"\"J1\""});
  ASSERT_NE(event, "") << Seen();
  nlohmann::json j = nlohmann::json::parse(event);
  EXPECT_EQ(j["kind"], "created");
  EXPECT_EQ(j["declaration_id"], 1);
  EXPECT_EQ(j["customs"], "SHANGHAI_ZS");

  watch->Signal(SIGINT);
  EXPECT_EQ(watch->Wait(seconds(10)), 0);
}

}  // namespace
}  // namespace customsd
