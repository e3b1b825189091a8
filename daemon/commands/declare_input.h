// What `customsd declare --file` reads: a regular file, a pipe or FIFO, or stdin ("-"),
// never more than `max_bytes`. Anything else (a directory, /dev/zero, a socket,
// /proc/self/mem) is refused by its type, checked with fstat on the open descriptor (a check
// before opening could be raced), and a regular file larger than the cap before a byte is read.
// A pipe is read until the cap and refused when it would pass it, so `yes | customsd declare
// --file -` ends with one line instead of filling memory. Every refusal is kInvalidInput naming
// the file (exit 2); nothing throws.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

#include "common/status.h"

namespace customsd {

StatusOr<std::string> ReadDeclareInput(const std::string& file, std::istream& stdin_stream,
                                       size_t max_bytes);

}  // namespace customsd
