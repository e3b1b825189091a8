#include "daemon/commands/declare_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>

namespace customsd {
namespace {

std::string Name(const std::string& file) { return file == "-" ? "stdin" : "--file " + file; }

Status TooBig(const std::string& file, size_t max_bytes) {
  return Status::InvalidInput(Name(file) + ": larger than declare.max_file_mb (" +
                              std::to_string(max_bytes >> 20) +
                              " MiB); split it, or raise the limit in the config");
}

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file or a pipe";
}

}  // namespace

StatusOr<std::string> ReadDeclareInput(const std::string& file, std::istream& stdin_stream,
                                       size_t max_bytes) {
  if (file == "-") {
    // stdin is the caller's stream (std::cin in the binary, a string in the tests); the cap
    // still holds, so `< /dev/zero` ends with one line.
    std::string text;
    char buf[65536];
    while (stdin_stream.read(buf, sizeof buf) || stdin_stream.gcount() > 0) {
      text.append(buf, static_cast<size_t>(stdin_stream.gcount()));
      if (text.size() > max_bytes) return TooBig(file, max_bytes);
    }
    return text;
  }
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Status::InvalidInput(Name(file) + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::InvalidInput(Name(file) + ": cannot read: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
    ::close(fd);
    return Status::InvalidInput(Name(file) + ": is " + KindOf(st.st_mode) +
                                "; give a regular file, a pipe or '-'");
  }
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return TooBig(file, max_bytes);
  }
  std::string text;
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return Status::InvalidInput(Name(file) + ": read error: " + std::strerror(e));
    }
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return TooBig(file, max_bytes);
    }
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace customsd
