#pragma once
// HDF5 failures as exceptions: the library's own error printing is switched off and the
// message of its error stack is carried in the exception instead.
#include <hdf5.h>

#include <string>

#include "core/error.hh"

namespace calo::io {

/// Stops HDF5 from printing its error stack to stderr (process-wide, idempotent).
void silence_hdf5_error_printing();

/// The most specific message on the current HDF5 error stack ("unknown HDF5 error" if empty).
std::string last_hdf5_error();

/// Returns id, or throws Error("<what> (HDF5: <message>)<advice>") when id is negative.
template <class Error = RuntimeError>
hid_t hdf5_check(hid_t id, const std::string& what, const std::string& advice = {}) {
  if (id < 0) throw Error(what + " (HDF5: " + last_hdf5_error() + ")" + advice);
  return id;
}

}  // namespace calo::io
