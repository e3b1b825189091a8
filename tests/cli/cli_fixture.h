// A test installation plus helpers to run commands against it and to snapshot its database.
#pragma once

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "tests/support/run_cli.h"
#include "tests/support/test_config.h"

namespace customsd::testing {

// A valid plain declaration as one JSON line (mchid/appid left to the config's defaults).
inline std::string GoodLine(const std::string& out_trade_no) {
  return R"({"out_trade_no":")" + out_trade_no +
         R"(","transaction_id":"1000320306201511078440737890","customs":"SHANGHAI_ZS",)"
         R"("merchant_customs_no":"123456","duty":88})";
}

class CliTest : public ::testing::Test {
 protected:
  TestInstall install_;
  FakeClock clock_{TestEpoch()};

  CliResult Run(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), {"-c", install_.config_path()});
    return RunInProcess(args, clock_, stdin_text);
  }

  CliResult DeclareText(const std::string& name, const std::string& text) {
    WriteFile(install_.File(name), text);
    return Run({"declare", "--file", install_.File(name)});
  }

  bool DatabaseExists() const {
    struct stat st {};
    return ::stat(install_.db_path().c_str(), &st) == 0;
  }

  // Every row of declarations and events, as text: equal snapshots mean nothing changed.
  std::string Snapshot() const {
    if (!DatabaseExists()) return "<no database>";
    SQLite::Database db(install_.db_path(), SQLite::OPEN_READONLY);
    std::string out;
    for (const char* table : {"declarations", "events", "alerts"}) {
      SQLite::Statement q(db, std::string("SELECT * FROM ") + table + " ORDER BY id");
      while (q.executeStep()) {
        for (int i = 0; i < q.getColumnCount(); ++i) out += q.getColumn(i).getString() + "|";
        out += "\n";
      }
    }
    return out;
  }
};

}  // namespace customsd::testing
