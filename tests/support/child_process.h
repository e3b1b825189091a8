// A child process for end-to-end tests: started with posix_spawn, its stdout readable line by
// line with a deadline, waited for through a pidfd with a deadline, and always killed when the
// object goes away, so a failing test leaves nothing running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace customsd::testing {

class ChildProcess {
 public:
  // argv[0] is the program path. stdout is piped (read with ReadLine) unless `stdout_path` is
  // given; stderr goes to `stderr_path` ("" = inherited). A piped stdout must be read, or a
  // chatty child blocks when the pipe fills.
  ChildProcess(std::vector<std::string> argv, const std::string& stderr_path = "",
               const std::string& stdout_path = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // The next line of stdout, or nullopt at EOF or when `timeout` passes first.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  void Signal(int sig);
  // The exit code (128 + signal when killed), or nullopt when still running at the deadline.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int pidfd_ = -1;
  std::string buffer_;
  std::optional<int> exit_code_;
};

}  // namespace customsd::testing
