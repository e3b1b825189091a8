// customsd: one binary, subcommands. Everything lives in the core library; main only hands it
// the process's streams and the real clock.
#include <unistd.h>

#include <iostream>

#include "common/clock.h"
#include "daemon/commands/cli.h"

int main(int argc, char** argv) {
  customsd::SystemClock clock;
  const bool interactive = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
  return customsd::RunCli(argc, argv, std::cin, std::cout, std::cerr, clock, interactive);
}
