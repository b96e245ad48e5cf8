#pragma once
// Error policy (see docs/errors.md):
//  - user input is checked at the boundary with CALO_VALIDATE / throw InputError; the message
//    has the shape "problem (why) suggestion" and fits on one line;
//  - programmer errors are CALO_ASSERT (debug builds only);
//  - main() maps any exception to one line on stderr and a non-zero exit code.
#include <cassert>
#include <stdexcept>
#include <string>

namespace calo {

/// Bad user input: options, files, geometry. The message is shown to the user as is.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A failure of the environment (I/O, HDF5 library) that is not the user's input.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace calo

#define CALO_VALIDATE(cond, message)                \
  do {                                              \
    if (!(cond)) throw ::calo::InputError(message); \
  } while (0)

#define CALO_ASSERT(cond) assert(cond)
