// The customsd command line: parses the arguments with CLI11 and runs one command.
//
// Returns the process exit code: 0 on success, 1 on a runtime failure, 2 on bad usage or bad
// input, 3 when the declaration named does not exist. Global options (-c, -o, --json, --local)
// go anywhere on the line. `interactive`: stdin and stderr are a terminal, so a bulk change may
// ask for confirmation and long work may draw a progress line. Errors go to `err` as one line per problem. Nothing here calls exit() or reads global
// state other than the environment variables CUSTOMSD_CONFIG and CREDENTIALS_DIRECTORY, so tests
// run commands in-process with their own streams and clock.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "common/clock.h"

namespace customsd {

int RunCli(int argc, const char* const* argv, std::istream& in, std::ostream& out,
           std::ostream& err, const Clock& clock, bool interactive = false);

// The same with the arguments after the program name.
int RunCli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err, const Clock& clock, bool interactive = false);

}  // namespace customsd
