#pragma once
// Root attributes of shower files: writing scalars and reading any attribute back as text.
#include <hdf5.h>

#include <string>

#include "calo3dgan/shower_file.hh"

namespace calo::io {

/// Writes a scalar attribute of the given HDF5 type (a native numeric type, stored as is),
/// replacing an attribute of the same name. Throws RuntimeError on failure.
void write_scalar_attribute(hid_t object, const std::string& name, hid_t type, const void* value);

/// Writes a variable-length UTF-8 string attribute (read by h5py as str).
void write_string_attribute(hid_t object, const std::string& name, const std::string& value);

/// Every attribute of object as (name, text) sorted by name: strings as they are, numbers in
/// shortest round-trip form, small arrays as "[a, b, c]", other types as "<type>".
AttributeList read_attributes_as_text(hid_t object);

}  // namespace calo::io
