// Runs customsd commands for tests: in-process through RunCli (fast, own streams and clock),
// or as the real binary in a child process (for what only a process shows: exit codes, stdin).
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"

namespace customsd::testing {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
};

CliResult RunInProcess(const std::vector<std::string>& args, const Clock& clock,
                       const std::string& stdin_text = "");

// The built customsd binary; stderr is captured into err through a temp file.
CliResult RunBinary(const std::vector<std::string>& args);

}  // namespace customsd::testing
