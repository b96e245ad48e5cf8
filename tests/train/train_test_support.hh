#pragma once
// Helpers of the train tests: a shell command's exit code and output (for /usr/bin/python3).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace calo::train::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr
};

inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// True when /usr/bin/python3 can import the given modules (e.g. "numpy").
inline bool python_has(const std::string& modules) {
  return run_command("/usr/bin/python3 -c 'import " + modules + "'").exit_code == 0;
}

}  // namespace calo::train::test
