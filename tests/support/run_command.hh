#pragma once
// Shared by the test suites: running a shell command (the CLI, /usr/bin/python3 references)
// and collecting what it printed.
#include <string>

namespace calo::test {

struct CommandResult {
  int exit_code = -1;  ///< the command's exit status; -1 when it could not run or was killed
  std::string output;  ///< stdout, and stderr unless run_command was told to leave it
};

/// Runs command with /bin/sh; stderr is collected with stdout when merge_stderr.
CommandResult run_command(const std::string& command, bool merge_stderr = true);

/// arg single-quoted for /bin/sh.
std::string shell_quote(const std::string& arg);

/// True when /usr/bin/python3 can import the given modules (e.g. "torch, h5py").
bool python_has(const std::string& modules);

}  // namespace calo::test
