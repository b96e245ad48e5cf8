#include "nn/up_sampling3d.hh"

#include "core/error.hh"
#include "nn/plan.hh"

namespace calo::nn {

UpSampling3D::UpSampling3D(Context& ctx, std::string name, UpSampling3DSpec spec)
    : Layer(ctx, std::move(name)), spec_(spec) {
  for (auto f : spec_.factors)
    CALO_VALIDATE(f >= 1, this->name() + ": factors must be positive integers");
}

Dims UpSampling3D::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  return {in.n, in.c, in.d * spec_.factors[0], in.h * spec_.factors[1], in.w * spec_.factors[2]};
}

namespace {

/// oneDNN nearest resampling: src index = round((dst + 0.5) / f - 0.5), which for an
/// integer factor f is dst / f (the half-way case never occurs), i.e. Keras' repeat.
class UpSamplingPlan : public Plan {
 public:
  UpSamplingPlan(UpSampling3D& up, const Tensor& in, Mode mode) : Plan(up, in, mode) {
    auto& eng = ctx_.engine;
    const Dims od = up.output_dims(in_dims_);
    const memory::desc dst_md = same_layout(in_desc_, od);
    const auto alg = dnnl::algorithm::resampling_nearest;
    const auto prop = mode == Mode::train ? dnnl::prop_kind::forward_training
                                          : dnnl::prop_kind::forward_inference;
    fwd_pd_ = {{prop, alg, in_desc_, dst_md}, scratch_attr(), eng};
    fwd_ = dnnl::resampling_forward(fwd_pd_);
    out_ = make_tensor(up.context(), od, dst_md);
    if (mode != Mode::train) return;
    bwd_pd_ = {{alg, in_desc_, dst_md}, scratch_attr(), eng, fwd_pd_};
    bwd_ = dnnl::resampling_backward(bwd_pd_);
    diff_in_ = make_tensor(up.context(), in_dims_, in_desc_);
  }

  const Tensor& forward(const Tensor& in) override {
    ctx_.execute(fwd_, fwd_pd_, {{DNNL_ARG_SRC, in.impl().mem}, {DNNL_ARG_DST, out_.impl().mem}});
    return out_;
  }

  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override {
    if (!opt.need_diff_in) return nullptr;
    ctx_.execute(bwd_, bwd_pd_,
                 {{DNNL_ARG_DIFF_DST, diff_out.impl().mem},
                  {DNNL_ARG_DIFF_SRC, diff_in_.impl().mem}});
    return &diff_in_;
  }

 private:
  dnnl::resampling_forward::primitive_desc fwd_pd_;
  dnnl::resampling_forward fwd_;
  dnnl::resampling_backward::primitive_desc bwd_pd_;
  dnnl::resampling_backward bwd_;
  Tensor out_, diff_in_;
};

}  // namespace

std::unique_ptr<Plan> UpSampling3D::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<UpSamplingPlan>(*this, in, mode);
}

}  // namespace calo::nn
