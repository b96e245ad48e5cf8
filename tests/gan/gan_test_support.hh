#pragma once
// Helpers of the gan tests: expected errors, shell commands (python3, the CLI), file text.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "core/error.hh"
#include "input_error.hh"
#include "scratch_directory.hh"

namespace calo::gan::test {

using ScratchDirectory = calo::test::ScratchDirectory;

using calo::test::input_error_message;

using calo::test::contains;

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr
};

/// Runs a /bin/sh command line and collects its output.
inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) result.output.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// True when /usr/bin/python3 can import the given modules (e.g. "torch, h5py").
inline bool python_has(const std::string& modules) {
  return run_command("/usr/bin/python3 -c 'import " + modules + "'").exit_code == 0;
}

}  // namespace calo::gan::test
