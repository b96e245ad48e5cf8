#pragma once
// Describing what a file holds: dataset shapes, element types and the root listing.
#include <hdf5.h>

#include <cstddef>
#include <string>
#include <vector>

#include "calo3dgan/shower_file.hh"

namespace calo::io {

/// Dimensions of a dataset's dataspace ({} for a scalar).
std::vector<std::size_t> dataset_shape(hid_t dataset);

/// Readable name of an element type: "float32", "int64", "uint8", "string", ... or "other".
std::string type_name(hid_t type);

/// True when the dataset holds integers or floating-point numbers (HDF5 converts them).
bool is_numeric(hid_t dataset);

/// Every dataset directly under the root group, sorted by name.
std::vector<DatasetInfo> list_root_datasets(hid_t file);

/// "(10, 25, 25, 25)": a shape as numpy prints it.
std::string shape_text(const std::vector<std::size_t>& shape);

}  // namespace calo::io
