#pragma once
// Context: the oneDNN CPU engine and stream every layer of a model runs on, the thread
// count, and one scratchpad shared by all primitives (they run one at a time).
#include <memory>

namespace calo::nn {

struct ContextImpl;  // oneDNN engine/stream/scratchpad (nn-internal: dnnl_impl.hh)

class Context {
 public:
  /// threads > 0 sets the OpenMP thread count used by oneDNN and the direct kernels
  /// (omp_set_num_threads); threads == 0 keeps the default (OMP_NUM_THREADS or all cores).
  explicit Context(int threads = 0);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  /// The thread count in effect.
  int threads() const;
  /// Block until every primitive submitted on this context's stream has finished.
  void wait();

  ContextImpl& impl() { return *impl_; }

 private:
  std::unique_ptr<ContextImpl> impl_;
};

}  // namespace calo::nn
