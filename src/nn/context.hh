#pragma once
// Context: the oneDNN CPU engine and stream every layer of a model runs on, the thread
// count and algorithm options (context_options.hh), and one scratchpad shared by all
// primitives (they run one at a time).
//
// The thread count is the context's own: layers build and run their primitives and loops
// with it on the calling thread (a scoped OpenMP setting, restored after each call), so a
// Context never changes the process's or the caller's OpenMP default, and contexts with
// different counts coexist.
#include <memory>

#include "nn/context_options.hh"

namespace calo::nn {

struct ContextImpl;  // oneDNN engine/stream/scratchpad (nn-internal: dnnl_impl.hh)

class Context {
 public:
  /// options.threads == 0 takes the creating thread's OpenMP default (OMP_NUM_THREADS or
  /// all cores) as the context's count.
  explicit Context(const ContextOptions& options);
  /// Default algorithm options with `threads` threads (0: the OpenMP default).
  explicit Context(int threads = 0);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  /// The thread count in effect.
  int threads() const;
  /// The options it was made with, threads resolved.
  const ContextOptions& options() const;
  /// Block until every primitive submitted on this context's stream has finished.
  void wait();

  ContextImpl& impl() { return *impl_; }

 private:
  std::unique_ptr<ContextImpl> impl_;
};

}  // namespace calo::nn
