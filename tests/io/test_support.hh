#pragma once
// Helpers of the io tests: scratch directories, the Python reference scripts, error messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hh"
#include "input_error.hh"
#include "scratch_directory.hh"

namespace calo::io::test {

using ScratchDirectory = calo::test::ScratchDirectory;

/// Exit code and standard output (with standard error) of a command.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

/// Runs tests/io/<script> with /usr/bin/python3 and the given arguments.
CommandResult run_python_script(const std::string& script, const std::vector<std::string>& args);

using calo::test::input_error_message;

using calo::test::contains;

}  // namespace calo::io::test
