#include "nn/context.hh"

#include <omp.h>

#include <cstdlib>
#include <new>

#include "nn/dnnl_impl.hh"

namespace calo::nn {

Context::Context(int threads) : impl_(std::make_unique<ContextImpl>()) {
  if (threads > 0) omp_set_num_threads(threads);
  impl_->threads = omp_get_max_threads();
}

Context::~Context() = default;

int Context::threads() const { return impl_->threads; }

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
  const memory::desc sd = pd.scratchpad_desc();
  if (sd.get_size() > 0) args[DNNL_ARG_SCRATCHPAD] = memory(sd, engine, scratchpad(sd.get_size()));
  prim.execute(stream, args);
  stream.wait();
}

}  // namespace calo::nn
