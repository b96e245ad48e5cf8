#include "nn/conv/activation_backward.hh"

namespace calo::nn {

ActivationBackward::ActivationBackward(ContextImpl& ctx, const memory::desc& dst, Activation activation,
                                       float alpha) {
  if (activation == Activation::none) return;
  const auto alg = dnnl::algorithm::eltwise_relu_use_dst_for_bwd;  // ReLU: LeakyReLU with alpha 0
  dnnl::eltwise_forward::primitive_desc hint({dnnl::prop_kind::forward_training, alg, dst, alpha, 0.f},
                                             ctx.engine);
  pd_ = {{alg, dst, dst, alpha, 0.f}, scratch_attr(), ctx.engine, hint};
  prim_ = dnnl::eltwise_backward(pd_);
  diff_pre_ = memory(dst, ctx.engine);
}

memory ActivationBackward::operator()(ContextImpl& ctx, const memory& out, const memory& diff_out) {
  if (!prim_) return diff_out;
  ctx.execute(prim_, pd_,
              {{DNNL_ARG_DST, out}, {DNNL_ARG_DIFF_DST, diff_out}, {DNNL_ARG_DIFF_SRC, diff_pre_}});
  return diff_pre_;
}

}  // namespace calo::nn
