#pragma once
// RAII ownership of HDF5 identifiers (files, groups, datasets, dataspaces, datatypes,
// attributes, property lists): whatever the path out of a scope, each id is closed once.
#include <hdf5.h>

#include <utility>

namespace calo::io {

/// Owns one HDF5 identifier and closes it with the H5*close function of its kind.
class Hdf5Handle {
 public:
  Hdf5Handle() = default;
  /// Takes ownership of id (a negative id means "none").
  explicit Hdf5Handle(hid_t id) : id_(id) {}
  ~Hdf5Handle() { reset(); }
  Hdf5Handle(Hdf5Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;

  /// The identifier, for passing to the HDF5 C API.
  hid_t get() const { return id_; }
  /// True when an identifier is held.
  explicit operator bool() const { return id_ >= 0; }
  /// Gives up ownership without closing.
  hid_t release() { return std::exchange(id_, H5I_INVALID_HID); }
  /// Closes the identifier now (errors are ignored: use release() and check H5Fclose where a
  /// failed close matters, as in ShowerWriter::commit()).
  void reset() noexcept;

 private:
  hid_t id_ = H5I_INVALID_HID;
};

}  // namespace calo::io
