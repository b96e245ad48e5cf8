#include "nn/average_pool3d.hh"

#include "core/error.hh"
#include "nn/plan.hh"

namespace calo::nn {

AveragePool3D::AveragePool3D(Context& ctx, std::string name, AveragePool3DSpec spec)
    : Layer(ctx, std::move(name)), spec_(spec) {
  for (int i = 0; i < 3; ++i) {
    CALO_VALIDATE(spec_.pool[i] >= 1, this->name() + ": pool sizes must be positive");
    CALO_VALIDATE(spec_.strides[i] >= 0, this->name() + ": strides must not be negative");
    if (spec_.strides[i] == 0) spec_.strides[i] = spec_.pool[i];
  }
}

Dims AveragePool3D::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  const std::int64_t sizes[3] = {in.d, in.h, in.w};
  std::int64_t out[3];
  for (int i = 0; i < 3; ++i) {
    CALO_VALIDATE(sizes[i] >= spec_.pool[i], name() + ": pool " + std::to_string(spec_.pool[i]) +
                                                 " larger than the input " +
                                                 std::to_string(sizes[i]) + " in dimension " +
                                                 "DHW"[i]);
    out[i] = (sizes[i] - spec_.pool[i]) / spec_.strides[i] + 1;
  }
  return {in.n, in.c, out[0], out[1], out[2]};
}

namespace {

class PoolPlan : public Plan {
 public:
  PoolPlan(AveragePool3D& pool, const Tensor& in, Mode mode) : Plan(pool, in, mode) {
    auto& eng = ctx_.engine;
    const auto& s = pool.spec();
    const Dims od = pool.output_dims(in_dims_);
    const memory::desc dst_md = same_layout(in_desc_, od);
    const memory::dims k = {s.pool[0], s.pool[1], s.pool[2]};
    const memory::dims st = {s.strides[0], s.strides[1], s.strides[2]}, zero = {0, 0, 0};
    const auto alg = dnnl::algorithm::pooling_avg_exclude_padding;
    const auto prop = mode == Mode::train ? dnnl::prop_kind::forward_training
                                          : dnnl::prop_kind::forward_inference;
    fwd_pd_ = {{prop, alg, in_desc_, dst_md, st, k, zero, zero}, scratch_attr(), eng};
    fwd_ = dnnl::pooling_forward(fwd_pd_);
    out_ = make_tensor(pool.context(), od, dst_md);
    if (mode != Mode::train) return;
    bwd_pd_ = {{alg, in_desc_, dst_md, st, k, zero, zero}, scratch_attr(), eng, fwd_pd_};
    bwd_ = dnnl::pooling_backward(bwd_pd_);
    diff_in_ = make_tensor(pool.context(), in_dims_, in_desc_);
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
  dnnl::pooling_forward::primitive_desc fwd_pd_;
  dnnl::pooling_forward fwd_;
  dnnl::pooling_backward::primitive_desc bwd_pd_;
  dnnl::pooling_backward bwd_;
  Tensor out_, diff_in_;
};

}  // namespace

std::unique_ptr<Plan> AveragePool3D::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<PoolPlan>(*this, in, mode);
}

}  // namespace calo::nn
