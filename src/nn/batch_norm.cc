#include "nn/batch_norm.hh"

#include <algorithm>

#include "core/error.hh"
#include "nn/plan.hh"

namespace calo::nn {

BatchNorm::BatchNorm(Context& ctx, std::string name, BatchNormSpec spec)
    : Layer(ctx, std::move(name)), spec_(spec) {
  CALO_VALIDATE(spec_.momentum >= 0.f && spec_.momentum <= 1.f,
                this->name() + ": momentum must be in [0, 1]");
  CALO_VALIDATE(spec_.epsilon > 0.f, this->name() + ": epsilon must be positive");
}

Dims BatchNorm::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  CALO_VALIDATE(channels_ == 0 || in.c == channels_,
                name() + ": input has " + std::to_string(in.c) + " channels (declared with " +
                    std::to_string(channels_) + ")");
  return in;
}

Dims BatchNorm::declare(const Dims& in, ParameterStore& store) {
  const Dims out = Layer::declare(in, store);
  channels_ = in.c;
  gamma_ = store.add(name() + ".gamma", {in.c});
  beta_ = store.add(name() + ".beta", {in.c});
  mean_ = store.add_state(name() + ".moving_mean", {in.c}, 0.f);
  var_ = store.add_state(name() + ".moving_variance", {in.c}, 1.f);
  return out;
}

void BatchNorm::initialise(Rng&) {
  CALO_VALIDATE(store_ && store_->finalized(), name() + ": initialise before finalize()");
  std::ranges::fill(store_->value(gamma_), 1.f);
  std::ranges::fill(store_->value(beta_), 0.f);
  std::ranges::fill(store_->state(mean_), 0.f);
  std::ranges::fill(store_->state(var_), 1.f);
}

class BatchNormPlan : public Plan {
 public:
  BatchNormPlan(BatchNorm& bn, const Tensor& in, Mode mode) : Plan(bn, in, mode), bn_(bn) {
    using flags = dnnl::normalization_flags;
    auto& eng = ctx_.engine;
    const float eps = bn.spec().epsilon;
    const memory::desc c_md({in_dims_.c}, dt::f32, tag::x);
    if (mode == Mode::train) {
      fwd_pd_ = {{dnnl::prop_kind::forward_training, in_desc_, eps,
                  flags::use_scale_shift},
                 scratch_attr(), eng};
      mean_ = memory(fwd_pd_.mean_desc(), eng);
      var_ = memory(fwd_pd_.variance_desc(), eng);
    } else {
      fwd_pd_ = {{dnnl::prop_kind::forward_inference, in_desc_, eps,
                  flags::use_scale_shift | flags::use_global_stats},
                 scratch_attr(), eng};
      mean_ = memory(c_md, eng, DNNL_MEMORY_NONE);
      var_ = memory(c_md, eng, DNNL_MEMORY_NONE);
    }
    fwd_ = dnnl::batch_normalization_forward(fwd_pd_);
    // gamma and beta are registered back to back, so the flat buffer holds the [2][C]
    // scale_shift array oneDNN wants (use_scale_shift: the separate use_scale/use_shift
    // backward fails to execute in oneDNN 2.6.3).
    const memory::desc ss_md({2, in_dims_.c}, dt::f32, tag::nc);
    scale_ = memory(ss_md, eng, DNNL_MEMORY_NONE);
    out_ = make_tensor(bn.context(), in_dims_, in_desc_);
    if (mode != Mode::train) return;
    bwd_pd_ = {{dnnl::prop_kind::backward, in_desc_, in_desc_, eps,
                flags::use_scale_shift},
               scratch_attr(), eng, fwd_pd_};
    bwd_ = dnnl::batch_normalization_backward(bwd_pd_);
    if (fwd_pd_.workspace_desc().get_size() > 0) ws_ = memory(fwd_pd_.workspace_desc(), eng);
    diff_in_ = make_tensor(bn.context(), in_dims_, in_desc_);
    dscale_ = memory(ss_md, eng);
    moving_mean_ = memory(c_md, eng, DNNL_MEMORY_NONE);
    moving_var_ = memory(c_md, eng, DNNL_MEMORY_NONE);
  }

  const Tensor& forward(const Tensor& in) override {
    ParameterStore& store = *bn_.store();
    scale_.set_data_handle(store.value(bn_.gamma_).data());
    if (mode_ == Mode::infer) {
      mean_.set_data_handle(store.state(bn_.mean_).data());
      var_.set_data_handle(store.state(bn_.var_).data());
    }
    frozen_fwd_ = mode_ == Mode::train && bn_.frozen();
    if (frozen_fwd_) return forward_frozen(in);
    Args args{{DNNL_ARG_SRC, in.impl().mem}, {DNNL_ARG_DST, out_.impl().mem},
              {DNNL_ARG_SCALE_SHIFT, scale_},
              {DNNL_ARG_MEAN, mean_},       {DNNL_ARG_VARIANCE, var_}};
    if (ws_) args[DNNL_ARG_WORKSPACE] = ws_;
    ctx_.execute(fwd_, fwd_pd_, std::move(args));
    if (mode_ == Mode::train) {
      saved_in_ = in;
      update_moving_statistics();
    }
    return out_;
  }

  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override {
    ParameterStore& store = *bn_.store();
    scale_.set_data_handle(store.value(bn_.gamma_).data());
    const bool frozen = frozen_fwd_;
    // oneDNN computes diff_src and diff_scale/shift in one pass; diff_src is cheap next to
    // the convolutions, so it is always computed. Frozen (use_global_stats): the forward
    // is the affine map y = gamma (x - mm) / sqrt(mv + eps) + beta of the moving
    // statistics, so diff_src = diff_dst gamma / sqrt(mv + eps).
    Args args{{DNNL_ARG_SRC, saved_in_.impl().mem},
              {DNNL_ARG_MEAN, frozen ? moving_mean_ : mean_},
              {DNNL_ARG_VARIANCE, frozen ? moving_var_ : var_},
              {DNNL_ARG_DIFF_DST, diff_out.impl().mem},
              {DNNL_ARG_SCALE_SHIFT, scale_},
              {DNNL_ARG_DIFF_SRC, diff_in_.impl().mem},
              {DNNL_ARG_DIFF_SCALE_SHIFT, dscale_}};
    if (ws_ && !frozen) args[DNNL_ARG_WORKSPACE] = ws_;
    if (frozen)
      ctx_.execute(frozen_bwd_, frozen_bwd_pd_, std::move(args));
    else
      ctx_.execute(bwd_, bwd_pd_, std::move(args));
    if (bn_.weight_grads()) {
      auto g = store.grad(bn_.gamma_);  // gamma then beta, adjacent
      auto gb = std::span<float>(g.data(), 2 * g.size());
      add(gb, dscale_);
    }
    return opt.need_diff_in ? &diff_in_ : nullptr;
  }

 private:
  static void add(std::span<float> g, const memory& m) {
    const float* d = static_cast<const float*>(m.get_data_handle());
    for (std::size_t i = 0; i < g.size(); ++i) g[i] += d[i];
  }

  /// Frozen (Keras trainable=False): a training forward with the moving statistics
  /// (oneDNN use_global_stats), which are left unchanged. Primitives built on first use.
  const Tensor& forward_frozen(const Tensor& in) {
    using flags = dnnl::normalization_flags;
    ParameterStore& store = *bn_.store();
    if (!frozen_fwd_prim_) {
      auto& eng = ctx_.engine;
      const float eps = bn_.spec().epsilon;
      const auto f = flags::use_scale_shift | flags::use_global_stats;
      frozen_fwd_pd_ = {{dnnl::prop_kind::forward_training, in_desc_, eps, f}, scratch_attr(), eng};
      frozen_fwd_prim_ = dnnl::batch_normalization_forward(frozen_fwd_pd_);
      frozen_bwd_pd_ = {{dnnl::prop_kind::backward, in_desc_, in_desc_, eps, f}, scratch_attr(), eng,
                        frozen_fwd_pd_};
      frozen_bwd_ = dnnl::batch_normalization_backward(frozen_bwd_pd_);
    }
    moving_mean_.set_data_handle(store.state(bn_.mean_).data());
    moving_var_.set_data_handle(store.state(bn_.var_).data());
    ctx_.execute(frozen_fwd_prim_, frozen_fwd_pd_,
                 {{DNNL_ARG_SRC, in.impl().mem}, {DNNL_ARG_DST, out_.impl().mem},
                  {DNNL_ARG_SCALE_SHIFT, scale_}, {DNNL_ARG_MEAN, moving_mean_},
                  {DNNL_ARG_VARIANCE, moving_var_}});
    saved_in_ = in;
    return out_;
  }

  /// Keras: moving = momentum moving + (1 - momentum) batch; the variance unbiased.
  void update_moving_statistics() {
    ParameterStore& store = *bn_.store();
    const float mom = bn_.spec().momentum;
    const double m = static_cast<double>(in_dims_.n) * in_dims_.d * in_dims_.h * in_dims_.w;
    const float unbias = m > 1 ? static_cast<float>(m / (m - 1)) : 1.f;
    auto rm = store.state(bn_.mean_), rv = store.state(bn_.var_);
    const float* bm = static_cast<const float*>(mean_.get_data_handle());
    const float* bv = static_cast<const float*>(var_.get_data_handle());
    for (std::size_t c = 0; c < rm.size(); ++c) {
      rm[c] = mom * rm[c] + (1.f - mom) * bm[c];
      rv[c] = mom * rv[c] + (1.f - mom) * bv[c] * unbias;
    }
  }

  BatchNorm& bn_;
  dnnl::batch_normalization_forward::primitive_desc fwd_pd_, frozen_fwd_pd_;
  dnnl::batch_normalization_forward fwd_, frozen_fwd_prim_;
  dnnl::batch_normalization_backward::primitive_desc bwd_pd_, frozen_bwd_pd_;
  dnnl::batch_normalization_backward bwd_, frozen_bwd_;
  memory mean_, var_, scale_, dscale_, ws_, moving_mean_, moving_var_;
  Tensor saved_in_, out_, diff_in_;
  bool frozen_fwd_ = false;  // the last forward was a frozen training forward
};

std::unique_ptr<Plan> BatchNorm::make_plan(const Tensor& in, Mode mode) {
  CALO_VALIDATE(store_ && store_->finalized(), name() + ": forward before declare()/finalize()");
  return std::make_unique<BatchNormPlan>(*this, in, mode);
}

}  // namespace calo::nn
