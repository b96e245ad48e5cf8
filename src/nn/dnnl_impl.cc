#include "nn/dnnl_impl.hh"

#include <cstring>
#include <stdexcept>

#include "nn/thread_scope.hh"

namespace calo::nn {

std::string to_string(const Dims& d) {
  return std::to_string(d.n) + "x" + std::to_string(d.c) + "x" + std::to_string(d.d) + "x" +
         std::to_string(d.h) + "x" + std::to_string(d.w);
}

Tensor make_tensor(Context& ctx, const Dims& dims, const memory::desc& md) {
  auto impl = std::make_shared<TensorImpl>();
  impl->ctx = &ctx;
  impl->dims = dims;
  impl->mem = memory(md, ctx.impl().engine);
  std::memset(impl->mem.get_data_handle(), 0, md.get_size());
  return Tensor(std::move(impl));
}

Tensor view_tensor(Context& ctx, const Dims& dims, const memory::desc& md, void* handle) {
  auto impl = std::make_shared<TensorImpl>();
  impl->ctx = &ctx;
  impl->dims = dims;
  impl->mem = memory(md, ctx.impl().engine, handle);
  return Tensor(std::move(impl));
}

tag layout_tag(const memory::desc& md) {
  static const tag candidates[] = {tag::ncdhw,   tag::ndhwc,       tag::nCdhw8c,     tag::nCdhw16c,
                                   tag::nCdhw4c, tag::NCdhw16n16c, tag::NCdhw32n32c, tag::NCdhw32n16c};
  for (tag t : candidates)
    if (memory::desc(md.dims(), dt::f32, t) == md) return t;
  throw std::logic_error("nn: unsupported memory layout");
}

memory::desc same_layout(const memory::desc& md, const Dims& dims) {
  return {to_dnnl(dims), dt::f32, layout_tag(md)};
}

std::optional<BlockedLayout> BlockedLayout::of(const memory::desc& md) {
  const dnnl_memory_desc_t& d = md.data;
  if (d.format_kind != dnnl_blocked || d.ndims != 5 || d.data_type != dnnl_f32) return std::nullopt;
  const auto& b = d.format_desc.blocking;
  BlockedLayout l;
  for (int i = 0; i < 5; ++i) {
    l.stride_[i] = b.strides[i];
    l.padded_[i] = d.padded_dims[i];
  }
  std::int64_t inner = 1;
  for (int j = b.inner_nblks - 1; j >= 0; --j) {
    const int dim = b.inner_idxs[j];
    if (l.block_[dim] != 1) return std::nullopt;  // two blocks on one dimension
    l.block_[dim] = b.inner_blks[j];
    l.inner_stride_[dim] = inner;
    inner *= b.inner_blks[j];
  }
  l.blocks_ = b.inner_nblks;
  l.innermost_ = b.inner_nblks > 0 ? b.inner_idxs[b.inner_nblks - 1] : -1;
  l.offset0_ = d.offset0;
  return l;
}

std::int64_t BlockedLayout::offset(std::int64_t n, std::int64_t c, std::int64_t d, std::int64_t h,
                                   std::int64_t w) const {
  const std::int64_t idx[5] = {n, c, d, h, w};
  std::int64_t off = offset0_;
  for (int i = 0; i < 5; ++i)
    off += (idx[i] / block_[i]) * stride_[i] + (idx[i] % block_[i]) * inner_stride_[i];
  return off;
}

std::int64_t BlockedLayout::contiguous_channels() const {
  if (innermost_ == 1) return block_[1];
  if (blocks_ == 0 && stride_[1] == 1) return padded_[1];
  return 1;
}

dnnl::primitive_attr scratch_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

Reorder::Reorder(ContextImpl& ctx, const memory::desc& src, const memory::desc& dst, bool accumulate) {
  const ThreadScope threads(ctx.threads());  // oneDNN sizes a primitive for the threads at creation
  dnnl::primitive_attr attr = scratch_attr();
  if (accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(1.f);
    attr.set_post_ops(ops);
  }
  pd_ = dnnl::reorder::primitive_desc(ctx.engine, src, ctx.engine, dst, attr);
  prim_ = dnnl::reorder(pd_);
}

void Reorder::operator()(ContextImpl& ctx, const memory& src, const memory& dst) const {
  ctx.execute(prim_, pd_, {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}});
}

void reorder_once(ContextImpl& ctx, const memory& src, const memory& dst, bool accumulate) {
  Reorder(ctx, src.get_desc(), dst.get_desc(), accumulate)(ctx, src, dst);
}

}  // namespace calo::nn
