#include "io/hdf5_error.hh"

#include <mutex>

namespace calo::io {

void silence_hdf5_error_printing() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

namespace {
/// H5Ewalk2 callback: keeps the first (most specific, walking upward) description.
herr_t keep_first_description(unsigned index, const H5E_error2_t* error, void* text) {
  auto& message = *static_cast<std::string*>(text);
  if (index == 0 && error->desc) message = error->desc;
  return 0;
}
}  // namespace

std::string last_hdf5_error() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_first_description, &message);
  H5Eclear2(H5E_DEFAULT);
  return message.empty() ? "unknown HDF5 error" : message;
}

}  // namespace calo::io
