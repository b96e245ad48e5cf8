#include "nn/context.hh"

#include <omp.h>

#include <cstdlib>
#include <new>

#include "nn/dnnl_impl.hh"
#include "nn/thread_scope.hh"

namespace calo::nn {

Context::Context(const ContextOptions& options) : impl_(std::make_unique<ContextImpl>()) {
  impl_->options = options;
  if (impl_->options.threads <= 0) impl_->options.threads = omp_get_max_threads();
}

Context::Context(int threads) : Context(ContextOptions{.threads = threads, .conv = {}}) {}

Context::~Context() = default;

int Context::threads() const { return impl_->threads(); }

const ContextOptions& Context::options() const { return impl_->options; }

void Context::wait() { impl_->stream.wait(); }

void* ContextImpl::scratchpad(std::size_t bytes) {
  if (bytes > scratch_bytes) {
    const std::size_t rounded = (bytes + 4095) / 4096 * 4096;
    char* p = static_cast<char*>(std::aligned_alloc(4096, rounded));
    if (!p) throw std::bad_alloc();
    scratch = {p, [](char* q) { std::free(q); }};
    scratch_bytes = rounded;
  }
  return scratch.get();
}

void ContextImpl::execute(const dnnl::primitive& prim, const dnnl::primitive_desc_base& pd, Args args) {
  const ThreadScope threads_scope(threads());
  const memory::desc sd = pd.scratchpad_desc();
  if (sd.get_size() > 0) args[DNNL_ARG_SCRATCHPAD] = memory(sd, engine, scratchpad(sd.get_size()));
  prim.execute(stream, args);
  stream.wait();
}

}  // namespace calo::nn
