#include "nn/eltwise.hh"

#include "nn/plan.hh"

namespace calo::nn {

Eltwise::Eltwise(Context& ctx, std::string name, EltwiseKind kind, float alpha)
    : Layer(ctx, std::move(name)), kind_(kind), alpha_(alpha) {}

std::string Eltwise::type() const {
  switch (kind_) {
    case EltwiseKind::relu:
      return "ReLU";
    case EltwiseKind::leaky_relu:
      return "LeakyReLU";
    case EltwiseKind::sigmoid:
      return "Sigmoid";
  }
  return "Eltwise";
}

namespace {

/// Forward on the input's own layout; backward from the saved input (ReLU, LeakyReLU) or
/// the saved output (Sigmoid: y (1 - y)).
class EltwisePlan : public Plan {
 public:
  EltwisePlan(Eltwise& layer, const Tensor& in, Mode mode) : Plan(layer, in, mode) {
    auto& eng = ctx_.engine;
    const bool sig = layer.kind() == EltwiseKind::sigmoid;
    alg_ = sig ? dnnl::algorithm::eltwise_logistic_use_dst_for_bwd : dnnl::algorithm::eltwise_relu;
    use_dst_ = sig;
    const float alpha = layer.kind() == EltwiseKind::leaky_relu ? layer.alpha() : 0.f;
    const auto prop =
        mode == Mode::train ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    fwd_pd_ = {{prop, alg_, in_desc_, alpha, 0.f}, scratch_attr(), eng};
    fwd_ = dnnl::eltwise_forward(fwd_pd_);
    out_ = make_tensor(layer.context(), in_dims_, in_desc_);
    if (mode != Mode::train) return;
    bwd_pd_ = {{alg_, in_desc_, in_desc_, alpha, 0.f}, scratch_attr(), eng, fwd_pd_};
    bwd_ = dnnl::eltwise_backward(bwd_pd_);
    diff_in_ = make_tensor(layer.context(), in_dims_, in_desc_);
  }

  const Tensor& forward(const Tensor& in) override {
    ctx_.execute(fwd_, fwd_pd_, {{DNNL_ARG_SRC, in.impl().mem}, {DNNL_ARG_DST, out_.impl().mem}});
    if (mode_ == Mode::train) saved_in_ = in;
    return out_;
  }

  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override {
    if (!opt.need_diff_in) return nullptr;
    Args args{{DNNL_ARG_DIFF_DST, diff_out.impl().mem}, {DNNL_ARG_DIFF_SRC, diff_in_.impl().mem}};
    if (use_dst_)
      args[DNNL_ARG_DST] = out_.impl().mem;
    else
      args[DNNL_ARG_SRC] = saved_in_.impl().mem;
    ctx_.execute(bwd_, bwd_pd_, std::move(args));
    return &diff_in_;
  }

 private:
  dnnl::algorithm alg_;
  bool use_dst_;
  dnnl::eltwise_forward::primitive_desc fwd_pd_;
  dnnl::eltwise_forward fwd_;
  dnnl::eltwise_backward::primitive_desc bwd_pd_;
  dnnl::eltwise_backward bwd_;
  Tensor saved_in_, out_, diff_in_;
};

}  // namespace

std::unique_ptr<Plan> Eltwise::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<EltwisePlan>(*this, in, mode);
}

}  // namespace calo::nn
