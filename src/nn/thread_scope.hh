#pragma once
// nn-internal: runs the enclosed work with a context's thread count on the calling thread.
//
// OpenMP's thread count (nthreads-var) is a per-thread setting: omp_set_num_threads changes
// it for the calling thread only, and oneDNN (OpenMP runtime) reads omp_get_max_threads()
// both when it creates a primitive (its thread decomposition and scratchpad size) and when
// it executes one. Setting it for the duration of a call and restoring it afterwards runs
// oneDNN and nn's own `omp parallel` loops with the context's count without changing what
// the caller sees.
#include <omp.h>

namespace calo::nn {

class ThreadScope {
 public:
  explicit ThreadScope(int threads) : saved_(omp_get_max_threads()) {
    if (threads > 0 && threads != saved_) {
      omp_set_num_threads(threads);
      changed_ = true;
    }
  }
  ~ThreadScope() {
    if (changed_) omp_set_num_threads(saved_);
  }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int saved_;
  bool changed_ = false;
};

}  // namespace calo::nn
