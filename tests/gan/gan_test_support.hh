#pragma once
// Helpers of the gan tests: expected errors, shell commands (python3, the CLI), file text.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hh"
#include "input_error.hh"
#include "run_command.hh"
#include "scratch_directory.hh"

namespace calo::gan::test {

using ScratchDirectory = calo::test::ScratchDirectory;

using calo::test::input_error_message;

using calo::test::contains;

using calo::test::CommandResult;
using calo::test::python_has;
using calo::test::run_command;

}  // namespace calo::gan::test
