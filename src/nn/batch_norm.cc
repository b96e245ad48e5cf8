#include "nn/batch_norm.hh"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hh"
#include "nn/batch_norm_backward.hh"
#include "nn/plan.hh"

namespace calo::nn {
namespace {

/// The layout of md as nn's double-accumulating kernels see it (batch_norm_backward.hh):
/// plain ncdhw, channels last (ndhwc) or one channel block (nCdhw8c/16c, padded channels
/// included), with dense spatial dims; nullopt for anything else (oneDNN then does it).
std::optional<bn::Layout> kernel_layout(const memory::desc& md, const Dims& d) {
  const auto blocked = BlockedLayout::of(md);
  if (!blocked || !blocked->channel_blocked_only()) return std::nullopt;
  const BlockedLayout& b = *blocked;
  if (b.padded(0) != d.n || b.padded(2) != d.d || b.padded(3) != d.h || b.padded(4) != d.w)
    return std::nullopt;
  bn::Layout l{.n = d.n, .channels = d.c, .spatial = d.d * d.h * d.w, .stride_n = b.stride(0)};
  // Spatial dims dense: one index s = (z * H + y) * W + x with stride b.stride(4).
  if ((d.h > 1 && b.stride(3) != b.stride(4) * d.w) || (d.d > 1 && b.stride(2) != b.stride(3) * d.h))
    return std::nullopt;
  if (b.block(1) > 1) {  // nCdhw8c / nCdhw16c
    l.block = b.block(1);
    if (l.spatial > 1 && b.stride(4) != l.block) return std::nullopt;
    l.stride_cb = b.stride(1);
    l.stride_s = l.block;
  } else if (b.stride(1) == 1 || d.c == 1) {  // channels last (or a single channel)
    l.block = b.padded(1);
    l.stride_s = b.stride(4);
    if (l.spatial > 1 && l.stride_s < l.block) return std::nullopt;
  } else if (b.stride(4) == 1 || l.spatial == 1) {  // plain: a channel's positions contiguous
    l.stride_cb = b.stride(1);
    l.stride_s = 1;
  } else {
    return std::nullopt;
  }
  if (l.block == 1 && l.spatial > 1 && l.stride_s != 1) return std::nullopt;
  return l;
}

float* data_of(const Tensor& t) { return t.impl().data() + desc_of(t).data.offset0; }

}  // namespace

BatchNorm::BatchNorm(Context& ctx, std::string name, BatchNormSpec spec)
    : Layer(ctx, std::move(name)), spec_(spec) {
  CALO_VALIDATE(spec_.momentum >= 0.f && spec_.momentum <= 1.f,
                this->name() + ": momentum must be in [0, 1]");
  CALO_VALIDATE(spec_.epsilon > 0.f, this->name() + ": epsilon must be positive");
}

void BatchNorm::set_momentum(float momentum) {
  if (!(momentum >= 0.f && momentum <= 1.f))
    throw std::logic_error(name() + ": momentum " + std::to_string(momentum) + " is outside [0, 1]");
  spec_.momentum = momentum;
}

Dims BatchNorm::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  CALO_VALIDATE(channels_ == 0 || in.c == channels_, name() + ": input has " + std::to_string(in.c) +
                                                         " channels (declared with " +
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

void BatchNorm::initialise_parameters(Rng&) {
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
    // gamma and beta are registered back to back, so the flat buffer holds the [2][C]
    // scale_shift array oneDNN wants (use_scale_shift: the separate use_scale/use_shift
    // backward fails to execute in oneDNN 2.6.3).
    const memory::desc ss_md({2, in_dims_.c}, dt::f32, tag::nc);
    scale_ = memory(ss_md, eng, DNNL_MEMORY_NONE);
    out_ = make_tensor(bn.context(), in_dims_, in_desc_);
    if (mode == Mode::train) layout_ = kernel_layout(in_desc_, in_dims_);
    if (layout_) {
      // Training with batch statistics: nn's kernels, every reduction in double. oneDNN
      // primitives only for the frozen mode (built on first use, see forward_frozen).
      const auto C = static_cast<std::size_t>(in_dims_.c);
      batch_mean_.resize(C);
      batch_var_.resize(C);
      sum_dy_.resize(C);
      sum_dy_xhat_.resize(C);
      diff_in_ = make_tensor(bn.context(), in_dims_, in_desc_);
      dscale_ = memory(ss_md, eng);
      moving_mean_ = memory(c_md, eng, DNNL_MEMORY_NONE);
      moving_var_ = memory(c_md, eng, DNNL_MEMORY_NONE);
      return;
    }
    if (mode == Mode::train) {
      fwd_pd_ = {
          {dnnl::prop_kind::forward_training, in_desc_, eps, flags::use_scale_shift}, scratch_attr(), eng};
      mean_ = memory(fwd_pd_.mean_desc(), eng);
      var_ = memory(fwd_pd_.variance_desc(), eng);
    } else {
      fwd_pd_ = {{dnnl::prop_kind::forward_inference, in_desc_, eps,
                  flags::use_scale_shift | flags::use_global_stats},
                 scratch_attr(),
                 eng};
      mean_ = memory(c_md, eng, DNNL_MEMORY_NONE);
      var_ = memory(c_md, eng, DNNL_MEMORY_NONE);
    }
    fwd_ = dnnl::batch_normalization_forward(fwd_pd_);
    if (mode != Mode::train) return;
    bwd_pd_ = {{dnnl::prop_kind::backward, in_desc_, in_desc_, eps, flags::use_scale_shift},
               scratch_attr(),
               eng,
               fwd_pd_};
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
    if (layout_) return forward_batch_statistics(in);
    Args args{{DNNL_ARG_SRC, in.impl().mem},
              {DNNL_ARG_DST, out_.impl().mem},
              {DNNL_ARG_SCALE_SHIFT, scale_},
              {DNNL_ARG_MEAN, mean_},
              {DNNL_ARG_VARIANCE, var_}};
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
    if (layout_ && !frozen) return backward_batch_statistics(diff_out, opt);
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
  /// Training forward with the batch statistics, in nn's kernels: mean and biased variance
  /// accumulated in double (two passes), the normalisation evaluated in double with them.
  const Tensor& forward_batch_statistics(const Tensor& in) {
    ParameterStore& store = *bn_.store();
    const float* x = data_of(in);
    bn::batch_statistics(*layout_, x, batch_mean_.data(), batch_var_.data());
    const float* gamma = store.value(bn_.gamma_).data();
    const float* beta = store.value(bn_.beta_).data();
    bn::normalize(*layout_, x, batch_mean_.data(), batch_var_.data(), bn_.spec().epsilon, gamma, beta,
                  data_of(out_));
    saved_in_ = in;
    const double mom = bn_.spec().momentum,
                 m = static_cast<double>(in_dims_.n) * in_dims_.d * in_dims_.h * in_dims_.w;
    const double unbias = m > 1 ? m / (m - 1) : 1.0;
    auto rm = store.state(bn_.mean_), rv = store.state(bn_.var_);
    for (std::size_t c = 0; c < rm.size(); ++c) {
      rm[c] = static_cast<float>(mom * rm[c] + (1 - mom) * batch_mean_[c]);
      rv[c] = static_cast<float>(mom * rv[c] + (1 - mom) * batch_var_[c] * unbias);
    }
    return out_;
  }

  /// Its exact backward (batch_norm_backward.hh): sums of dy and dy x_hat per channel in
  /// double, diff_in in double from them; diff_in only when asked for.
  const Tensor* backward_batch_statistics(const Tensor& diff_out, const BackwardOptions& opt) {
    ParameterStore& store = *bn_.store();
    bn::backward(*layout_, data_of(saved_in_), data_of(diff_out), batch_mean_.data(), batch_var_.data(),
                 bn_.spec().epsilon, store.value(bn_.gamma_).data(), sum_dy_.data(), sum_dy_xhat_.data(),
                 opt.need_diff_in ? data_of(diff_in_) : nullptr);
    if (bn_.weight_grads()) {
      auto g = store.grad(bn_.gamma_), b = store.grad(bn_.beta_);
      for (std::size_t c = 0; c < g.size(); ++c) {
        g[c] = static_cast<float>(g[c] + sum_dy_xhat_[c]);
        b[c] = static_cast<float>(b[c] + sum_dy_[c]);
      }
    }
    return opt.need_diff_in ? &diff_in_ : nullptr;
  }

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
      frozen_bwd_pd_ = {
          {dnnl::prop_kind::backward, in_desc_, in_desc_, eps, f}, scratch_attr(), eng, frozen_fwd_pd_};
      frozen_bwd_ = dnnl::batch_normalization_backward(frozen_bwd_pd_);
    }
    moving_mean_.set_data_handle(store.state(bn_.mean_).data());
    moving_var_.set_data_handle(store.state(bn_.var_).data());
    ctx_.execute(frozen_fwd_prim_, frozen_fwd_pd_,
                 {{DNNL_ARG_SRC, in.impl().mem},
                  {DNNL_ARG_DST, out_.impl().mem},
                  {DNNL_ARG_SCALE_SHIFT, scale_},
                  {DNNL_ARG_MEAN, moving_mean_},
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
  // Training with batch statistics in nn's kernels (set when the input layout suits them).
  std::optional<bn::Layout> layout_;
  std::vector<double> batch_mean_, batch_var_, sum_dy_, sum_dy_xhat_;
};

std::unique_ptr<Plan> BatchNorm::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<BatchNormPlan>(*this, in, mode);
}

}  // namespace calo::nn
