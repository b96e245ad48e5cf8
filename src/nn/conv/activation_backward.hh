#pragma once
// nn-internal: the backward of a Conv3D's fused activation (ReLU / LeakyReLU with alpha >= 0),
// on the layer's whole output. Exact from the saved output: y > 0 <=> x > 0 for alpha >= 0,
// so oneDNN's eltwise backward "use dst" recovers the derivative without the pre-activation.
#include "nn/conv3d.hh"
#include "nn/dnnl_impl.hh"

namespace calo::nn {

class ActivationBackward {
 public:
  ActivationBackward() = default;  ///< no activation: the gradient passes through
  /// For outputs in layout dst (and diffs in the same layout).
  ActivationBackward(ContextImpl& ctx, const memory::desc& dst, Activation activation, float alpha);

  /// d loss / d pre-activation from the activation's output and d loss / d output (both in
  /// the layout given): a buffer of its own, or diff_out itself without an activation.
  memory operator()(ContextImpl& ctx, const memory& out, const memory& diff_out);

 private:
  dnnl::eltwise_backward::primitive_desc pd_;
  dnnl::eltwise_backward prim_;
  memory diff_pre_;
};

}  // namespace calo::nn
