#include "io/hdf5_attributes.hh"

#include <cstdint>
#include <vector>

#include "io/hdf5_dataset.hh"
#include "io/hdf5_error.hh"
#include "io/hdf5_handle.hh"
#include "io/number_text.hh"

namespace calo::io {

void write_scalar_attribute(hid_t object, const std::string& name, hid_t type, const void* value) {
  const std::string what = "cannot write attribute " + name;
  if (hdf5_check(H5Aexists(object, name.c_str()), what) > 0)
    hdf5_check(H5Adelete(object, name.c_str()), what);
  Hdf5Handle space(hdf5_check(H5Screate(H5S_SCALAR), what));
  Hdf5Handle attribute(
      hdf5_check(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT), what));
  hdf5_check(H5Awrite(attribute.get(), type, value), what);
}

void write_string_attribute(hid_t object, const std::string& name, const std::string& value) {
  const std::string what = "cannot write attribute " + name;
  Hdf5Handle type(hdf5_check(H5Tcopy(H5T_C_S1), what));
  hdf5_check(H5Tset_size(type.get(), H5T_VARIABLE), what);
  hdf5_check(H5Tset_cset(type.get(), H5T_CSET_UTF8), what);
  const char* text = value.c_str();
  write_scalar_attribute(object, name, type.get(), &text);
}

namespace {

constexpr hssize_t kMaxArrayElements = 16;  // longer arrays are summarised by their type

std::string join(const std::vector<std::string>& items, std::size_t count, bool scalar) {
  if (scalar && count == 1) return items.at(0);
  std::string text = "[";
  for (std::size_t i = 0; i < count; ++i) text += (i ? ", " : "") + items[i];
  return text + "]";
}

/// Reads every element of a string attribute (fixed or variable length).
std::vector<std::string> read_strings(hid_t attribute, hid_t type, hid_t space, std::size_t count) {
  std::vector<std::string> items;
  Hdf5Handle memory_type(H5Tcopy(type));
  if (H5Tis_variable_str(type) > 0) {
    std::vector<char*> pointers(count, nullptr);
    if (H5Aread(attribute, memory_type.get(), pointers.data()) < 0) return {};
    for (char* p : pointers) items.emplace_back(p ? p : "");
    H5Dvlen_reclaim(memory_type.get(), space, H5P_DEFAULT, pointers.data());
  } else {
    std::size_t size = H5Tget_size(type);
    std::vector<char> buffer(size * count);
    if (H5Aread(attribute, memory_type.get(), buffer.data()) < 0) return {};
    for (std::size_t i = 0; i < count; ++i) {
      std::string item(buffer.data() + i * size, size);
      items.push_back(item.substr(0, item.find('\0')));
    }
  }
  return items;
}

/// Reads every element of a numeric attribute as text.
std::vector<std::string> read_numbers(hid_t attribute, hid_t type, std::size_t count) {
  std::vector<std::string> items;
  if (H5Tget_class(type) == H5T_FLOAT) {
    std::vector<double> values(count);
    if (H5Aread(attribute, H5T_NATIVE_DOUBLE, values.data()) < 0) return {};
    for (double v : values) items.push_back(number_text(v));
  } else if (H5Tget_sign(type) == H5T_SGN_NONE) {
    std::vector<std::uint64_t> values(count);
    if (H5Aread(attribute, H5T_NATIVE_UINT64, values.data()) < 0) return {};
    for (auto v : values) items.push_back(std::to_string(v));
  } else {
    std::vector<std::int64_t> values(count);
    if (H5Aread(attribute, H5T_NATIVE_INT64, values.data()) < 0) return {};
    for (auto v : values) items.push_back(std::to_string(v));
  }
  return items;
}

/// Text of one attribute, "<type>" when it cannot be shown.
std::string attribute_text(hid_t object, const char* name) {
  Hdf5Handle attribute(H5Aopen(object, name, H5P_DEFAULT));
  if (!attribute) return "<unreadable>";
  Hdf5Handle type(H5Aget_type(attribute.get()));
  Hdf5Handle space(H5Aget_space(attribute.get()));
  if (!type || !space) return "<unreadable>";
  hssize_t count = H5Sget_simple_extent_npoints(space.get());
  bool scalar = H5Sget_simple_extent_type(space.get()) == H5S_SCALAR;
  H5T_class_t type_class = H5Tget_class(type.get());
  std::string placeholder = "<";  // built by appends: GCC 12 warns falsely on "<" + string
  placeholder.append(type_name(type.get())).append(" attribute>");
  if (count < 0 || count > kMaxArrayElements) return placeholder;
  auto n = static_cast<std::size_t>(count);
  std::vector<std::string> items;
  if (type_class == H5T_STRING)
    items = read_strings(attribute.get(), type.get(), space.get(), n);
  else if (type_class == H5T_FLOAT || type_class == H5T_INTEGER)
    items = read_numbers(attribute.get(), type.get(), n);
  else
    return placeholder;
  if (items.size() != n) return "<unreadable>";
  return join(items, n, scalar);
}

herr_t collect_attribute(hid_t object, const char* name, const H5A_info_t*, void* list) {
  static_cast<AttributeList*>(list)->emplace_back(name, attribute_text(object, name));
  return 0;
}

}  // namespace

AttributeList read_attributes_as_text(hid_t object) {
  AttributeList attributes;
  hsize_t index = 0;
  hdf5_check(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &attributes),
             "cannot list the attributes of the file");
  H5Eclear2(H5E_DEFAULT);
  return attributes;
}

}  // namespace calo::io
