#pragma once
// nn-internal: the plan of a parameter-free layer that is one oneDNN forward primitive plus
// its data-gradient primitive, with the output in the input's layout (AveragePool3D's pooling,
// UpSampling3D's resampling). The layer supplies the two primitive descriptors.
#include <utility>

#include "nn/plan.hh"

namespace calo::nn {

template <class Forward, class Backward>
class PrimitivePairPlan : public Plan {
 public:
  using ForwardPd = typename Forward::primitive_desc;
  using BackwardPd = typename Backward::primitive_desc;

  /// make_forward(prop_kind, src_md, dst_md) and make_backward(src_md, dst_md, forward_pd)
  /// build the descriptors (with scratch_attr()); the output has dims out_dims.
  template <class MakeForward, class MakeBackward>
  PrimitivePairPlan(Layer& layer, const Tensor& in, Mode mode, const Dims& out_dims,
                    MakeForward&& make_forward, MakeBackward&& make_backward)
      : Plan(layer, in, mode) {
    const memory::desc dst_md = same_layout(in_desc_, out_dims);
    const auto prop =
        mode == Mode::train ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    fwd_pd_ = make_forward(prop, in_desc_, dst_md);
    fwd_ = Forward(fwd_pd_);
    out_ = make_tensor(layer.context(), out_dims, dst_md);
    if (mode != Mode::train) return;
    bwd_pd_ = make_backward(in_desc_, dst_md, fwd_pd_);
    bwd_ = Backward(bwd_pd_);
    diff_in_ = make_tensor(layer.context(), in_dims_, in_desc_);
  }

  const Tensor& forward(const Tensor& in) override {
    ctx_.execute(fwd_, fwd_pd_, {{DNNL_ARG_SRC, in.impl().mem}, {DNNL_ARG_DST, out_.impl().mem}});
    return out_;
  }

  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override {
    if (!opt.need_diff_in) return nullptr;
    ctx_.execute(bwd_, bwd_pd_,
                 {{DNNL_ARG_DIFF_DST, diff_out.impl().mem}, {DNNL_ARG_DIFF_SRC, diff_in_.impl().mem}});
    return &diff_in_;
  }

 private:
  ForwardPd fwd_pd_;
  Forward fwd_;
  BackwardPd bwd_pd_;
  Backward bwd_;
  Tensor out_, diff_in_;
};

}  // namespace calo::nn
