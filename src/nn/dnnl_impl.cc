#include "nn/dnnl_impl.hh"

#include <cstring>
#include <stdexcept>

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
  static const tag candidates[] = {tag::ncdhw,    tag::ndhwc,     tag::nCdhw8c,
                                   tag::nCdhw16c, tag::nCdhw4c,   tag::NCdhw16n16c,
                                   tag::NCdhw32n32c, tag::NCdhw32n16c};
  for (tag t : candidates)
    if (memory::desc(md.dims(), dt::f32, t) == md) return t;
  throw std::logic_error("nn: unsupported memory layout");
}

memory::desc same_layout(const memory::desc& md, const Dims& dims) {
  return {to_dnnl(dims), dt::f32, layout_tag(md)};
}

dnnl::primitive_attr scratch_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

Reorder::Reorder(ContextImpl& ctx, const memory::desc& src, const memory::desc& dst,
                 bool accumulate) {
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
