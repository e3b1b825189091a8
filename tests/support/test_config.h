// A throw-away customsd installation for tests: the test vector keys copied with mode 0600,
// a config naming them, and a database path, all inside one TempDir.
#pragma once

#include <string>

#include "common/clock.h"
#include "tests/support/temp_dir.h"

namespace customsd::testing {

inline constexpr const char* kTestMchid = "1230000109";
inline constexpr const char* kTestAppid = "wxd678efh567hg6787";
inline constexpr const char* kMerchantSerial = "34758796476BCD5BD4801FB1BA640E12CF7BA8AA";

class TestInstall {
 public:
  // `extra_toml` is appended to the config (e.g. "[poll]\nfirst_delay = \"0s\"\n").
  explicit TestInstall(const std::string& extra_toml = "");

  const std::string& config_path() const { return config_path_; }
  const std::string& db_path() const { return db_path_; }
  const TempDir& dir() const { return dir_; }
  std::string File(const std::string& name) const { return dir_.File(name); }

  // The source tree's file, e.g. "examples/declarations.jsonl".
  static std::string SourceFile(const std::string& relative);
  static std::string VectorFile(const std::string& name);

 private:
  TempDir dir_;
  std::string config_path_;
  std::string db_path_;
};

// The content of a file of the APIv3 test vectors (tests/vectors).
inline std::string ReadVector(const std::string& name) {
  return ReadFile(TestInstall::VectorFile(name));
}

// 2026-11-22T00:00:00Z: the start time of fake clocks in tests.
inline TimePoint TestEpoch() { return FromUnixMillis(1795305600000); }

}  // namespace customsd::testing
