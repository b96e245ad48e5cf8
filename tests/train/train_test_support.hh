#pragma once
// Helpers of the train tests: a shell command's exit code and output (for /usr/bin/python3),
// the message of an expected InputError.
#include "input_error.hh"
#include "run_command.hh"

namespace calo::train::test {

using calo::test::CommandResult;
using calo::test::input_error_message;
using calo::test::python_has;
using calo::test::run_command;

}  // namespace calo::train::test
