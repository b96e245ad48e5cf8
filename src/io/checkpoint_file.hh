#pragma once
// Checkpoint files: a generic HDF5 container of named float32 arrays with their shapes,
// texts (JSON), integers and string attributes, addressed by slash-separated paths
// ("generator/conv1/kernel"; intermediate groups are created as needed). It knows nothing
// about networks: the gan module decides what goes where (docs/checkpoint.md).
//
// Writing is atomic like the shower writer: everything goes to "<path>.tmp-<pid>", which
// commit() flushes and renames; a writer destroyed without commit() removes its temporary.
// Float arrays are stored chunked with the Fletcher-32 checksum filter (built into HDF5 and
// read by h5py), so a corrupted array is an error on reading instead of silent garbage.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace calo::io {

/// Shape of an array, outermost dimension first (C order).
using ArrayShape = std::vector<std::int64_t>;

/// "(16, 64, 6, 5, 8)": a shape as numpy prints it.
std::string array_shape_text(const ArrayShape& shape);

class CheckpointWriter {
 public:
  /// Starts writing path (checked like every output: InputError when it exists and
  /// !overwrite, or its directory is missing or not writable).
  CheckpointWriter(const std::string& path, bool overwrite);
  ~CheckpointWriter();
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;

  /// float32 array of the given shape (every dimension positive; values.size() equal to
  /// the product). Each path is written once.
  void write_array(const std::string& path, const ArrayShape& shape, std::span<const float> values);
  /// UTF-8 text as a scalar variable-length string dataset (h5py: bytes; .asstr() for str).
  void write_text(const std::string& path, const std::string& text);
  /// Scalar int64 / uint64 datasets, and a one-dimensional uint64 array (may be empty).
  void write_int(const std::string& path, std::int64_t value);
  void write_uint(const std::string& path, std::uint64_t value);
  void write_uints(const std::string& path, std::span<const std::uint64_t> values);
  /// String / double attribute on an existing object ("" or "/" is the root group); a
  /// group path that does not exist yet is created.
  void set_attribute(const std::string& object, const std::string& name, const std::string& value);
  void set_attribute(const std::string& object, const std::string& name, double value);

  /// Closes, flushes and renames the temporary file to the final path.
  void commit();
  const std::string& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class CheckpointReader {
 public:
  /// Opens path read-only. InputError when it is missing, not HDF5, truncated, or lacks
  /// the root attribute format == expected_format (when expected_format is not empty).
  explicit CheckpointReader(const std::string& path, const std::string& expected_format = {});
  ~CheckpointReader();
  CheckpointReader(const CheckpointReader&) = delete;
  CheckpointReader& operator=(const CheckpointReader&) = delete;

  /// True when a dataset exists at path.
  bool has_dataset(const std::string& path) const;
  /// Paths (without leading '/') of every dataset below group, recursively, sorted.
  std::vector<std::string> list_datasets(const std::string& group) const;

  /// Shape of the dataset at path (InputError if missing).
  ArrayShape shape(const std::string& path) const;
  /// A float array; InputError if it is missing, not floating point, its shape differs
  /// from expected (when given) or its checksum fails.
  std::vector<float> read_array(const std::string& path, const ArrayShape* expected = nullptr) const;
  std::string read_text(const std::string& path) const;
  std::int64_t read_int(const std::string& path) const;
  std::uint64_t read_uint(const std::string& path) const;
  std::vector<std::uint64_t> read_uints(const std::string& path) const;
  /// Attribute as text (empty when absent): strings as is, numbers in round-trip form.
  std::string attribute(const std::string& object, const std::string& name) const;

  const std::string& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace calo::io
