#include "io/checkpoint_file.hh"

#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "core/error.hh"
#include "io/hdf5_attributes.hh"
#include "io/hdf5_dataset.hh"
#include "io/hdf5_error.hh"
#include "io/hdf5_handle.hh"
#include "io/output_path.hh"

namespace calo::io {

std::string array_shape_text(const ArrayShape& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

namespace {

/// "a/b/c" without leading or doubled slashes.
std::string clean(const std::string& path) {
  std::string out;
  for (char c : path)
    if (c != '/' || (!out.empty() && out.back() != '/')) out += c;
  if (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

/// "/a/b/c" (built by appends: GCC 12 warns falsely on "/" + string).
std::string absolute(const std::string& path) {
  std::string out = "/";
  return out.append(clean(path));
}

/// Opens group path below file, creating the missing groups on the way.
Hdf5Handle require_group(hid_t file, const std::string& path) {
  std::string sofar;
  Hdf5Handle group(hdf5_check(H5Gopen2(file, "/", H5P_DEFAULT), "cannot open the root group"));
  std::size_t start = 0;
  const std::string p = clean(path);
  while (start < p.size()) {
    std::size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    const std::string part = p.substr(start, end - start);
    sofar.append("/").append(part);
    htri_t exists = H5Lexists(group.get(), part.c_str(), H5P_DEFAULT);
    if (exists > 0)
      group = Hdf5Handle(hdf5_check(H5Gopen2(group.get(), part.c_str(), H5P_DEFAULT),
                                    "cannot open group " + sofar + " (a dataset of that name exists?)"));
    else
      group =
          Hdf5Handle(hdf5_check(H5Gcreate2(group.get(), part.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                "cannot create group " + sofar));
    start = end + 1;
  }
  return group;
}

/// Splits "a/b/c" into the parent group "a/b" and the name "c".
std::pair<std::string, std::string> split(const std::string& path) {
  const std::string p = clean(path);
  std::size_t slash = p.rfind('/');
  if (slash == std::string::npos) return {"", p};
  return {p.substr(0, slash), p.substr(slash + 1)};
}

Hdf5Handle string_type() {
  Hdf5Handle type(hdf5_check(H5Tcopy(H5T_C_S1), "cannot make a string type"));
  hdf5_check(H5Tset_size(type.get(), H5T_VARIABLE), "cannot make a string type");
  hdf5_check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot make a string type");
  return type;
}

}  // namespace

// ------------------------------------------------------------------------------- writer

struct CheckpointWriter::Impl {
  std::string final_path, temporary_path;
  bool overwrite = false;
  Hdf5Handle file;
  bool committed = false;
  bool keep_temporary = false;

  /// Creates a dataset of the given type and space at path (parents created).
  Hdf5Handle create(const std::string& path, hid_t type, hid_t space, hid_t create_plist = H5P_DEFAULT) {
    CALO_ASSERT(!committed);
    auto [parent, name] = split(path);
    CALO_VALIDATE(!name.empty(), "checkpoint: empty dataset path");
    Hdf5Handle group = require_group(file.get(), parent);
    const std::string what = "cannot write /" + clean(path) + " to " + temporary_path;
    if (H5Lexists(group.get(), name.c_str(), H5P_DEFAULT) > 0)
      throw std::logic_error("checkpoint: /" + clean(path) + " written twice");
    return Hdf5Handle(hdf5_check(
        H5Dcreate2(group.get(), name.c_str(), type, space, H5P_DEFAULT, create_plist, H5P_DEFAULT), what));
  }

  void write_scalar(const std::string& path, hid_t file_type, hid_t memory_type, const void* value) {
    Hdf5Handle space(hdf5_check(H5Screate(H5S_SCALAR), "cannot make a dataspace"));
    Hdf5Handle dataset = create(path, file_type, space.get());
    hdf5_check(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, value),
               "cannot write /" + clean(path));
  }

  /// The object at path, or a new group there (with its parents) when nothing is there.
  Hdf5Handle open_object(const std::string& object) {
    const std::string p = clean(object);
    if (p.empty()) return Hdf5Handle(hdf5_check(H5Gopen2(file.get(), "/", H5P_DEFAULT), "cannot open /"));
    if (H5Oexists_by_name(file.get(), ("/" + p).c_str(), H5P_DEFAULT) > 0)
      return Hdf5Handle(hdf5_check(H5Oopen(file.get(), ("/" + p).c_str(), H5P_DEFAULT), "cannot open /" + p));
    H5Eclear2(H5E_DEFAULT);  // a missing parent makes H5Oexists_by_name fail: create it
    return require_group(file.get(), p);
  }

  bool close() { return !file || H5Fclose(file.release()) >= 0; }

  ~Impl() {
    if (committed || keep_temporary) return;
    close();
    std::error_code ignored;
    std::filesystem::remove(temporary_path, ignored);
  }
};

CheckpointWriter::CheckpointWriter(const std::string& path, bool overwrite)
    : impl_(std::make_unique<Impl>()) {
  silence_hdf5_error_printing();
  check_output_path(path, overwrite);
  Impl& w = *impl_;
  w.final_path = path;
  w.temporary_path = temporary_path_for(path);
  w.overwrite = overwrite;
  w.file = Hdf5Handle(hdf5_check(H5Fcreate(w.temporary_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                                 "cannot create " + w.temporary_path));
}

CheckpointWriter::~CheckpointWriter() = default;

void CheckpointWriter::write_array(const std::string& path, const ArrayShape& shape,
                                   std::span<const float> values) {
  const std::string what = "cannot write /" + clean(path);
  CALO_VALIDATE(!shape.empty(), what + " (an array needs at least one dimension)");
  std::vector<hsize_t> dims;
  std::size_t count = 1;
  for (std::int64_t d : shape) {
    CALO_VALIDATE(d > 0, what + " (dimension " + std::to_string(d) + " in shape " + array_shape_text(shape) +
                             " is not positive)");
    dims.push_back(static_cast<hsize_t>(d));
    count *= static_cast<std::size_t>(d);
  }
  CALO_VALIDATE(count == values.size(), what + " (shape " + array_shape_text(shape) + " holds " +
                                            std::to_string(count) + " values, given " +
                                            std::to_string(values.size()) + ")");
  int rank = static_cast<int>(dims.size());
  Hdf5Handle space(hdf5_check(H5Screate_simple(rank, dims.data(), nullptr), what));
  Hdf5Handle plist(hdf5_check(H5Pcreate(H5P_DATASET_CREATE), what));
  hdf5_check(H5Pset_obj_track_times(plist.get(), false), what);
  // One chunk per array (the checksum filter needs chunking); a chunk must stay below 4 GiB.
  hdf5_check(H5Pset_chunk(plist.get(), rank, dims.data()), what);
  hdf5_check(H5Pset_fletcher32(plist.get()), what);
  Hdf5Handle dataset = impl_->create(path, H5T_IEEE_F32LE, space.get(), plist.get());
  hdf5_check(H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), what);
}

void CheckpointWriter::write_text(const std::string& path, const std::string& text) {
  Hdf5Handle type = string_type();
  const char* p = text.c_str();
  impl_->write_scalar(path, type.get(), type.get(), &p);
}

void CheckpointWriter::write_int(const std::string& path, std::int64_t value) {
  impl_->write_scalar(path, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void CheckpointWriter::write_uint(const std::string& path, std::uint64_t value) {
  impl_->write_scalar(path, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void CheckpointWriter::write_uints(const std::string& path, std::span<const std::uint64_t> values) {
  const std::string what = "cannot write /" + clean(path);
  hsize_t n = values.size();
  Hdf5Handle space(hdf5_check(H5Screate_simple(1, &n, nullptr), what));
  Hdf5Handle dataset = impl_->create(path, H5T_STD_U64LE, space.get());
  if (n > 0)
    hdf5_check(H5Dwrite(dataset.get(), H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
               what);
}

void CheckpointWriter::set_attribute(const std::string& object, const std::string& name,
                                     const std::string& value) {
  Hdf5Handle target = impl_->open_object(object);
  write_string_attribute(target.get(), name, value);
}

void CheckpointWriter::set_attribute(const std::string& object, const std::string& name, double value) {
  Hdf5Handle target = impl_->open_object(object);
  write_scalar_attribute(target.get(), name, H5T_NATIVE_DOUBLE, &value);
}

void CheckpointWriter::commit() {
  Impl& w = *impl_;
  if (w.committed) throw std::logic_error("CheckpointWriter::commit called twice");
  if (!w.close())
    throw RuntimeError("cannot finish writing " + w.temporary_path + " (HDF5: " + last_hdf5_error() +
                       ") check the free disk space");
  try {
    publish_file(w.temporary_path, w.final_path, w.overwrite);
  } catch (const InputError&) {
    w.keep_temporary = true;
    throw;
  }
  w.committed = true;
}

const std::string& CheckpointWriter::path() const { return impl_->final_path; }

// ------------------------------------------------------------------------------- reader

struct CheckpointReader::Impl {
  std::string path;
  Hdf5Handle file;

  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError("checkpoint " + path + ": " + problem);
  }

  Hdf5Handle open_dataset(const std::string& name) const {
    const std::string p = absolute(name);
    if (H5Lexists(file.get(), p.c_str(), H5P_DEFAULT) <= 0 && !exists_deep(p)) {
      H5Eclear2(H5E_DEFAULT);
      fail("missing dataset " + p + " (the file is incomplete or was written by another model)");
    }
    Hdf5Handle d(H5Dopen2(file.get(), p.c_str(), H5P_DEFAULT));
    if (!d)
      fail("cannot open " + p + " (HDF5: " + last_hdf5_error() + ") the file may be truncated or corrupt");
    return d;
  }

  /// H5Lexists on a nested path fails when a parent is missing: check level by level.
  bool exists_deep(const std::string& p) const {
    std::string sofar;
    std::size_t start = 1;
    while (start < p.size()) {
      std::size_t end = p.find('/', start);
      if (end == std::string::npos) end = p.size();
      sofar.append("/").append(p, start, end - start);  // (GCC 12 warns falsely on "/" + substr)
      if (H5Lexists(file.get(), sofar.c_str(), H5P_DEFAULT) <= 0) return false;
      start = end + 1;
    }
    return true;
  }

  void read(const std::string& name, hid_t memory_type, void* out, std::size_t expected_count,
            H5T_class_t expected_class) const {
    Hdf5Handle d = open_dataset(name);
    Hdf5Handle type(H5Dget_type(d.get()));
    if (!type || H5Tget_class(type.get()) != expected_class)
      fail(absolute(name) + " has type " + (type ? type_name(type.get()) : "unknown") + " (expected " +
           (expected_class == H5T_FLOAT    ? "float"
            : expected_class == H5T_STRING ? "string"
                                           : "integer") +
           ")");
    std::size_t count = 1;
    for (std::size_t dim : dataset_shape(d.get())) count *= dim;
    if (count != expected_count)
      fail(absolute(name) + " holds " + std::to_string(count) + " values (expected " +
           std::to_string(expected_count) + ")");
    if (count == 0) return;
    if (H5Dread(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
      fail("cannot read /" + clean(name) + " (HDF5: " + last_hdf5_error() + ") the file is corrupt");
  }
};

CheckpointReader::CheckpointReader(const std::string& path, const std::string& expected_format)
    : impl_(std::make_unique<Impl>()) {
  silence_hdf5_error_printing();
  Impl& r = *impl_;
  r.path = path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError("checkpoint " + path + " does not exist");
  if (std::filesystem::is_directory(path, ec))
    throw InputError("checkpoint " + path + " is a directory (a checkpoint is one HDF5 file)");
  htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  H5Eclear2(H5E_DEFAULT);
  if (is_hdf5 <= 0)
    throw InputError("checkpoint " + path +
                     " is not an HDF5 file (empty, truncated at the start, or another format)");
  r.file = Hdf5Handle(hdf5_check<InputError>(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                                             "cannot open checkpoint " + path,
                                             " the file is truncated or corrupt"));
  if (!expected_format.empty()) {
    const std::string format = attribute("", "format");
    if (format != expected_format)
      r.fail("format is '" + format + "' (expected '" + expected_format +
             "': not a calo3dgan checkpoint, or from an incompatible version)");
  }
}

CheckpointReader::~CheckpointReader() = default;

bool CheckpointReader::has_dataset(const std::string& path) const {
  const std::string p = absolute(path);
  bool found = impl_->exists_deep(p);
  if (found) {
    H5O_info_t info;
    found = H5Oget_info_by_name(impl_->file.get(), p.c_str(), &info, H5P_DEFAULT) >= 0 &&
            info.type == H5O_TYPE_DATASET;
  }
  H5Eclear2(H5E_DEFAULT);
  return found;
}

namespace {
herr_t collect_dataset(hid_t, const char* name, const H5O_info_t* info, void* out) {
  if (info->type == H5O_TYPE_DATASET && std::string(name) != ".")
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> CheckpointReader::list_datasets(const std::string& group) const {
  std::vector<std::string> names;
  const std::string p = absolute(group);
  if (p != "/" && !impl_->exists_deep(p)) {
    H5Eclear2(H5E_DEFAULT);
    return names;
  }
  Hdf5Handle g(H5Oopen(impl_->file.get(), p.c_str(), H5P_DEFAULT));
  if (!g) impl_->fail("cannot open " + p + " (HDF5: " + last_hdf5_error() + ") the file may be corrupt");
  if (H5Ovisit(g.get(), H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &names) < 0)
    impl_->fail("cannot list " + p + " (HDF5: " + last_hdf5_error() + ") the file may be corrupt");
  const std::string prefix = clean(group).empty() ? "" : clean(group) + "/";
  for (auto& n : names) n = prefix + n;
  std::sort(names.begin(), names.end());
  return names;
}

ArrayShape CheckpointReader::shape(const std::string& path) const {
  Hdf5Handle d = impl_->open_dataset(path);
  ArrayShape shape;
  for (std::size_t dim : dataset_shape(d.get())) shape.push_back(static_cast<std::int64_t>(dim));
  return shape;
}

std::vector<float> CheckpointReader::read_array(const std::string& path, const ArrayShape* expected) const {
  ArrayShape actual = shape(path);
  if (expected && actual != *expected)
    impl_->fail(absolute(path) + " has shape " + array_shape_text(actual) + ", the model expects " +
                array_shape_text(*expected));
  std::size_t count = 1;
  for (auto d : actual) count *= static_cast<std::size_t>(d);
  std::vector<float> values(count);
  impl_->read(path, H5T_NATIVE_FLOAT, values.data(), count, H5T_FLOAT);
  return values;
}

std::string CheckpointReader::read_text(const std::string& path) const {
  Hdf5Handle d = impl_->open_dataset(path);
  Hdf5Handle type(H5Dget_type(d.get()));
  if (!type || H5Tget_class(type.get()) != H5T_STRING) impl_->fail(absolute(path) + " is not a text");
  Hdf5Handle space(H5Dget_space(d.get()));
  if (!space || H5Sget_simple_extent_npoints(space.get()) != 1)
    impl_->fail(absolute(path) + " is not a single text");
  if (H5Tis_variable_str(type.get()) > 0) {
    Hdf5Handle memory_type = string_type();
    char* text = nullptr;
    if (H5Dread(d.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0)
      impl_->fail("cannot read /" + clean(path) + " (HDF5: " + last_hdf5_error() + ") the file is corrupt");
    std::string out = text ? text : "";
    H5Dvlen_reclaim(memory_type.get(), space.get(), H5P_DEFAULT, &text);
    return out;
  }
  std::vector<char> buffer(H5Tget_size(type.get()) + 1, '\0');
  if (H5Dread(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
    impl_->fail("cannot read /" + clean(path) + " (HDF5: " + last_hdf5_error() + ") the file is corrupt");
  return std::string(buffer.data());
}

std::int64_t CheckpointReader::read_int(const std::string& path) const {
  std::int64_t value = 0;
  impl_->read(path, H5T_NATIVE_INT64, &value, 1, H5T_INTEGER);
  return value;
}

std::uint64_t CheckpointReader::read_uint(const std::string& path) const {
  std::uint64_t value = 0;
  impl_->read(path, H5T_NATIVE_UINT64, &value, 1, H5T_INTEGER);
  return value;
}

std::vector<std::uint64_t> CheckpointReader::read_uints(const std::string& path) const {
  ArrayShape s = shape(path);
  if (s.size() != 1) impl_->fail(absolute(path) + " is not a one-dimensional array");
  std::vector<std::uint64_t> values(static_cast<std::size_t>(s[0]));
  impl_->read(path, H5T_NATIVE_UINT64, values.data(), values.size(), H5T_INTEGER);
  return values;
}

std::string CheckpointReader::attribute(const std::string& object, const std::string& name) const {
  const std::string p = absolute(object);
  if (p != "/" && !impl_->exists_deep(p)) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  Hdf5Handle o(H5Oopen(impl_->file.get(), p.c_str(), H5P_DEFAULT));
  if (!o) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  for (const auto& [key, value] : read_attributes_as_text(o.get()))
    if (key == name) return value;
  return {};
}

const std::string& CheckpointReader::path() const { return impl_->path; }

}  // namespace calo::io
