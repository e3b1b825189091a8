#include "tests/support/run_cli.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <sstream>

#include "daemon/commands/cli.h"
#include "tests/support/temp_dir.h"

namespace customsd::testing {

CliResult RunInProcess(const std::vector<std::string>& args, const Clock& clock,
                       const std::string& stdin_text) {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  CliResult r;
  r.code = RunCli(args, in, out, err, clock);
  r.out = out.str();
  r.err = err.str();
  return r;
}

namespace {
// Single-quotes an argument for /bin/sh.
std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}
}  // namespace

CliResult RunBinary(const std::vector<std::string>& args) {
  TempDir tmp;
  std::string cmd = Quote(CUSTOMSD_BINARY);
  for (const std::string& a : args) cmd += " " + Quote(a);
  cmd += " 2>" + Quote(tmp.File("stderr")) + " </dev/null";
  CliResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadFile(tmp.File("stderr"));
  return r;
}

}  // namespace customsd::testing
