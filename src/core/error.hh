#pragma once
// Error policy (see docs/errors.md):
//  - user input is checked at the boundary with CALO_VALIDATE / throw InputError; the message
//    has the shape "problem (why) suggestion" and fits on one line;
//  - failures of the environment throw RuntimeError;
//  - programmer errors are CALO_ASSERT (debug builds only);
//  - main() maps any exception to one line on stderr and a non-zero exit code.
// The exception types are public (include/calo3dgan/error.hh); the macros are internal.
#include <cassert>
#include <string>

#include "calo3dgan/error.hh"

#define CALO_VALIDATE(cond, message)                \
  do {                                              \
    if (!(cond)) throw ::calo::InputError(message); \
  } while (0)

#define CALO_ASSERT(cond) assert(cond)
