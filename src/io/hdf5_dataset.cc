#include "io/hdf5_dataset.hh"

#include <algorithm>

#include "io/hdf5_error.hh"
#include "io/hdf5_handle.hh"

namespace calo::io {

std::vector<std::size_t> dataset_shape(hid_t dataset) {
  Hdf5Handle space(hdf5_check(H5Dget_space(dataset), "cannot read a dataset's shape"));
  int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank <= 0) return {};
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

std::string type_name(hid_t type) {
  std::size_t bits = 8 * H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_FLOAT:
      return "float" + std::to_string(bits);
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
    case H5T_STRING:
      return "string";
    default:
      return "other";
  }
}

bool is_numeric(hid_t dataset) {
  Hdf5Handle type(hdf5_check(H5Dget_type(dataset), "cannot read a dataset's type"));
  H5T_class_t type_class = H5Tget_class(type.get());
  return type_class == H5T_FLOAT || type_class == H5T_INTEGER;
}

namespace {
/// H5Literate callback: collects the names of every link of the group.
herr_t collect_link_name(hid_t, const char* name, const H5L_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<DatasetInfo> list_root_datasets(hid_t file) {
  std::vector<std::string> names;
  hsize_t index = 0;
  hdf5_check(H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, &index, collect_link_name, &names),
             "cannot list the datasets of the file");
  std::vector<DatasetInfo> datasets;
  for (const auto& name : names) {
    if (H5Oexists_by_name(file, name.c_str(), H5P_DEFAULT) <= 0) continue;  // dangling link
    Hdf5Handle object(H5Oopen(file, name.c_str(), H5P_DEFAULT));
    if (!object || H5Iget_type(object.get()) != H5I_DATASET) continue;
    Hdf5Handle type(hdf5_check(H5Dget_type(object.get()), "cannot read the type of " + name));
    datasets.push_back({name, dataset_shape(object.get()), type_name(type.get())});
  }
  H5Eclear2(H5E_DEFAULT);
  std::sort(datasets.begin(), datasets.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return datasets;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace calo::io
