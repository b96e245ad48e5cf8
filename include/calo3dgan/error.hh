#pragma once
// The exceptions calo3dgan's public API throws (policy: docs/errors.md). Both derive from
// std::runtime_error; what() is one line shaped "problem (why) suggestion", e.g.
// "input file showers.h5 not found (no such file) check the path".
//
//   try {
//     calo::io::ShowerReader reader(path);
//   } catch (const calo::InputError& e) {    // the caller's input: fix it and retry
//   } catch (const calo::RuntimeError& e) {  // the environment: disk, HDF5 library
//   }
//
// Programming errors (a broken invariant inside the library) are assertions, not exceptions.
#include <stdexcept>

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
