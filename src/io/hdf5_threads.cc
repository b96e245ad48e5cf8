#include "io/hdf5_threads.hh"

#include <hdf5.h>

namespace calo::io {

bool hdf5_library_is_thread_safe() {
  hbool_t safe = 0;
  return H5is_library_threadsafe(&safe) >= 0 && safe;
}

}  // namespace calo::io
