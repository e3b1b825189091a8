// customsd: one binary, subcommands. Everything lives in the core library; main only hands it
// the process's streams and the real clock.
#include <iostream>

#include "common/clock.h"
#include "daemon/commands/cli.h"

int main(int argc, char** argv) {
  customsd::SystemClock clock;
  return customsd::RunCli(argc, argv, std::cin, std::cout, std::cerr, clock);
}
