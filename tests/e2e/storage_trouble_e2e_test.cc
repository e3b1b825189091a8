// The database's disk fills up, and later its files turn unwritable, under a running `customsd
// run` with declarations being polled: the daemon stops asking WeChat Pay, says so once
// (journal, /healthz 503, one alert through the webhook, since the outbox is in the database
// that takes no writes), and once the files take writes again every declaration settles, none
// lost and none declared twice. The database lives on a small ext4 image the test loop-mounts
// (root only: the test is skipped with a reason otherwise). "Unwritable" is `chattr +i` on the
// database and its WAL: unlike chmod, it refuses writes through descriptors already open (as a
// filesystem gone read-only does), and unlike a read-only remount it can be undone while the
// daemon holds its files open.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "tests/e2e/e2e_fixture.h"
#include "tests/support/free_port.h"

namespace customsd {
namespace {

using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

void ReplaceIn(std::string& text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

class StorageTroubleEndToEndTest : public testing::EndToEndTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting the test's tmpfs needs root";
    data_ = install_.File("data");
    ASSERT_EQ(::mkdir(data_.c_str(), 0700), 0);
    const std::string image = install_.File("data.ext4");
    // -m 0: no blocks reserved for root, who runs the daemon here.
    const std::string make = "truncate -s 8M '" + image + "' && mkfs.ext4 -q -F -m 0 '" + image +
                             "' && mount -o loop '" + image + "' '" + data_ + "' 2>&1";
    if (std::system(make.c_str()) != 0) {
      GTEST_SKIP() << "cannot loop-mount an ext4 image here (" << make << ")";
    }
    mounted_ = true;
    db_path_ = data_ + "/customsd.db";
    StartMock({"--advance-after", "2000"});
    metrics_port_ = testing::FreePort();
    std::string config = testing::ReadFile(install_.config_path());
    ReplaceIn(config, "path = \"customsd.db\"", "path = \"data/customsd.db\"");
    ReplaceIn(config, "[metrics]\nlisten = \"\"",
              "[metrics]\nlisten = \"127.0.0.1:" + std::to_string(metrics_port_) + "\"");
    config += "[alerts]\nwebhook_url = \"http://127.0.0.1:" + std::to_string(mock_port_) +
              "/mock/webhook\"\n";
    testing::WriteFile(install_.config_path(), config);
  }

  void TearDown() override {
    if (!mounted_) return;
    SetImmutable(false);
    ::umount2(data_.c_str(), MNT_DETACH);
  }

  int Health() {
    httplib::Client client("127.0.0.1", metrics_port_);
    client.set_connection_timeout(2);
    auto res = client.Get("/healthz");
    return res ? res->status : 0;
  }

  bool WaitHealth(int status, seconds deadline) {
    const auto until = Steady::now() + deadline;
    while (Steady::now() < until) {
      if (Health() == status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling, with a deadline
    }
    return false;
  }

  int64_t ApiCalls() {
    const nlohmann::json stats = MockStats();
    int64_t calls = 0;
    if (!stats.contains("endpoints")) return calls;
    for (const auto& [name, e] : stats.at("endpoints").items()) {
      if (name != "certificates") calls += e.value("calls", int64_t{0});
    }
    return calls;
  }

  size_t LogLines() {
    const std::string log = DaemonLog();
    return static_cast<size_t>(std::count(log.begin(), log.end(), '\n'));
  }

  std::string Webhooks() {
    httplib::Client client("127.0.0.1", mock_port_);
    auto res = client.Get("/mock/webhook");
    return res ? res->body : "";
  }

  void SetImmutable(bool on) {
    for (const char* suffix : {"", "-wal"}) {
      const std::string cmd =
          std::string("chattr ") + (on ? "+i" : "-i") + " '" + db_path_ + suffix + "' 2>/dev/null";
      const int rc = std::system(cmd.c_str());
      if (on) {
        ASSERT_EQ(rc, 0) << cmd;
      }
    }
  }

  // Fills the filesystem to the last block.
  void FillDisk() {
    std::ofstream filler(data_ + "/filler", std::ios::binary);
    const std::string chunk(64 * 1024, 'x');
    while (filler.write(chunk.data(), chunk.size())) {
    }
  }

  // Keeps /healthz at 503 for `window` while counting what the daemon does meanwhile.
  void ExpectQuietWhileUnwritable(seconds window, const char* what) {
    const int64_t calls_before = ApiCalls();
    const size_t lines_before = LogLines();
    const auto until = Steady::now() + window;
    while (Steady::now() < until) {
      ASSERT_EQ(Health(), 503) << what;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));  // sampling a window
    }
    std::cout << what << ": " << ApiCalls() - calls_before << " API calls and "
              << LogLines() - lines_before << " log lines in " << window.count() << " s\n";
    EXPECT_LT(ApiCalls() - calls_before, 20) << what;
    EXPECT_LT(LogLines() - lines_before, 20u) << what << ":\n" << DaemonLog();
  }

  void DeclareBatch(const std::string& prefix, int from, int count) {
    std::string jsonl;
    for (int i = 0; i < count; ++i) {
      jsonl += testing::DeclarationLine(prefix + std::to_string(i), from + i);
    }
    DeclareAllSuccess(jsonl);
  }

  std::string data_;
  bool mounted_ = false;
  int metrics_port_ = 0;
};

TEST_F(StorageTroubleEndToEndTest, AFullDiskThenAReadOnlyOneStopTheDaemonUntilWritesReturn) {
  DeclareBatch("FULL", 1, 60);
  auto daemon = StartDaemon();
  ASSERT_TRUE(WaitUntil([&] {
    return Count("SELECT count(*) FROM declarations WHERE phase = 'poll'") >= 30;
  })) << DaemonLog();

  FillDisk();
  ASSERT_TRUE(WaitHealth(503, seconds(30))) << DaemonLog();
  ASSERT_NO_FATAL_FAILURE(ExpectQuietWhileUnwritable(seconds(15), "disk full"));
  ASSERT_TRUE(::unlink((data_ + "/filler").c_str()) == 0);
  ASSERT_TRUE(WaitHealth(200, seconds(90))) << DaemonLog();
  ASSERT_TRUE(WaitSettled(seconds(60))) << DaemonLog();

  DeclareBatch("RO", 101, 60);
  ASSERT_TRUE(WaitUntil([&] {
    return Count("SELECT count(*) FROM declarations WHERE phase = 'poll'") >= 30;
  })) << DaemonLog();
  SetImmutable(true);
  ASSERT_TRUE(WaitHealth(503, seconds(30))) << DaemonLog();
  ASSERT_NO_FATAL_FAILURE(ExpectQuietWhileUnwritable(seconds(10), "unwritable files"));
  SetImmutable(false);
  ASSERT_TRUE(WaitHealth(200, seconds(90))) << DaemonLog();
  ASSERT_TRUE(WaitSettled(seconds(60))) << DaemonLog();

  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(15)), 0);
  // One alert per episode, through the webhook: the outbox could not take them.
  const std::string hooks = Webhooks();
  size_t alerts = 0;
  for (size_t at = hooks.find("database_unwritable"); at != std::string::npos;
       at = hooks.find("database_unwritable", at + 1)) {
    ++alerts;
  }
  EXPECT_EQ(alerts, 2u) << hooks;
  EXPECT_EQ(Count("SELECT count(*) FROM declarations"), 120);
  ExpectScenarioOutcomes();
  ExpectNoDuplicateDeclares();
  StopMock();
}

}  // namespace
}  // namespace customsd
