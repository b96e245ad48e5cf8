#pragma once
// Helpers of the io tests: scratch directories, the Python reference scripts, error messages.
#include <gtest/gtest.h>

#include <filesystem>

#include "scratch_directory.hh"
#include <string>
#include <vector>

#include "core/error.hh"

namespace calo::io::test {

using ScratchDirectory = calo::test::ScratchDirectory;

/// Exit code and standard output (with standard error) of a command.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

/// Runs tests/io/<script> with /usr/bin/python3 and the given arguments.
CommandResult run_python_script(const std::string& script, const std::vector<std::string>& args);

/// The message of the InputError that body throws; records a test failure if it throws none.
template <class Body>
std::string input_error_message(Body&& body) {
  try {
    body();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected calo::InputError";
  return {};
}

/// True when text contains fragment (for message checks that print the text on failure).
inline bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

}  // namespace calo::io::test
