#pragma once
// Whether the HDF5 library this program runs with serialises concurrent calls itself
// (built with --enable-threadsafe, as Debian's is). Where it does not, a program must call
// HDF5 from one thread at a time: the training data loader then reads on the caller's thread
// instead of prefetching on its own.
namespace calo::io {

bool hdf5_library_is_thread_safe();

}  // namespace calo::io
