#include "nn/conv3d.hh"

#include <stdexcept>
#include <string>

#include "core/error.hh"
#include "nn/conv3d_fft.hh"
#include "nn/conv3d_plan.hh"
#include "nn/conv3d_polyphase.hh"
#include "nn/conv3d_thin_input.hh"
#include "nn/eltwise.hh"
#include "nn/plan.hh"
#include "nn/up_sampling3d.hh"
#include "nn/zero_pad3d.hh"

namespace calo::nn {

Conv3D::Conv3D(Context& ctx, std::string name, Conv3DSpec spec) : Layer(ctx, std::move(name)), spec_(spec) {
  CALO_VALIDATE(spec_.filters > 0, this->name() + ": filters must be positive");
  for (int i = 0; i < 3; ++i) {
    CALO_VALIDATE(spec_.kernel[i] > 0, this->name() + ": kernel sizes must be positive");
    CALO_VALIDATE(spec_.extra_front[i] >= 0 && spec_.extra_back[i] >= 0,
                  this->name() + ": padding must not be negative");
  }
  CALO_VALIDATE(spec_.alpha >= 0.f, this->name() + ": LeakyReLU alpha must be >= 0");
  for (auto f : spec_.upsample) CALO_VALIDATE(f >= 1, this->name() + ": upsampling factors must be >= 1");
}

std::array<std::int64_t, 3> Conv3D::pad_front(const Dims&) const {
  std::array<std::int64_t, 3> p{};
  for (int i = 0; i < 3; ++i)
    p[i] = (spec_.padding == Padding::same ? (spec_.kernel[i] - 1) / 2 : 0) + spec_.extra_front[i];
  return p;
}

std::array<std::int64_t, 3> Conv3D::pad_back(const Dims&) const {
  std::array<std::int64_t, 3> p{};
  for (int i = 0; i < 3; ++i) {
    const std::int64_t total = spec_.padding == Padding::same ? spec_.kernel[i] - 1 : 0;
    p[i] = total - total / 2 + spec_.extra_back[i];
  }
  return p;
}

Dims Conv3D::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  CALO_VALIDATE(in_channels_ == 0 || in.c == in_channels_, name() + ": input has " + std::to_string(in.c) +
                                                               " channels (declared with " +
                                                               std::to_string(in_channels_) + ")");
  const auto f = pad_front(in), b = pad_back(in);
  const auto& u = spec_.upsample;
  const std::int64_t sizes[3] = {in.d * u[0], in.h * u[1], in.w * u[2]};
  std::int64_t out[3];
  for (int i = 0; i < 3; ++i) {
    out[i] = sizes[i] + f[i] + b[i] - spec_.kernel[i] + 1;
    CALO_VALIDATE(out[i] >= 1, name() + ": kernel " + std::to_string(spec_.kernel[i]) +
                                   " larger than the padded input " + std::to_string(sizes[i] + f[i] + b[i]) +
                                   " in dimension " + "DHW"[i]);
  }
  return {in.n, spec_.filters, out[0], out[1], out[2]};
}

double Conv3D::forward_flops(const Dims& in) const {
  const Dims out = output_dims(in);
  const double per_tap = 2.0 * static_cast<double>(in.n) * spec_.filters * in.c;
  if (spec_.upsample == std::array<std::int64_t, 3>{1, 1, 1})
    return per_tap * static_cast<double>(out.d * out.h * out.w) * spec_.kernel[0] * spec_.kernel[1] *
           spec_.kernel[2];
  const auto pf = pad_front(in);
  const std::int64_t n[3] = {in.d, in.h, in.w}, o[3] = {out.d, out.h, out.w};
  double work[3];  // per dimension: sum over phases of computed outputs x taps (separable)
  for (int i = 0; i < 3; ++i) {
    work[i] = 0;
    for (const PhaseAxis& a : split_phases(n[i], spec_.upsample[i], pf[i], spec_.kernel[i], o[i]))
      work[i] += static_cast<double>(a.computed * a.taps);
  }
  return per_tap * work[0] * work[1] * work[2];
}

Dims Conv3D::declare(const Dims& in, ParameterStore& store) {
  const Dims out = Layer::declare(in, store);
  in_channels_ = in.c;
  weight_ =
      store.add(name() + ".weight", {spec_.filters, in.c, spec_.kernel[0], spec_.kernel[1], spec_.kernel[2]});
  if (spec_.use_bias) bias_ = store.add(name() + ".bias", {spec_.filters});
  return out;
}

void Conv3D::initialise(Rng& rng) {
  CALO_VALIDATE(store_ && store_->finalized(), name() + ": initialise before finalize()");
  const std::int64_t rf = spec_.kernel[0] * spec_.kernel[1] * spec_.kernel[2];
  const std::int64_t fan_in = in_channels_ * rf, fan_out = spec_.filters * rf;
  nn::initialise(spec_.kernel_init, store_->value(weight_), fan_in, fan_out, rng);
  if (spec_.use_bias) nn::initialise(spec_.bias_init, store_->value(bias_), fan_in, fan_out, rng);
}

bool Conv3D::absorb_previous(Layer& prev) {
  const bool upsampled = spec_.upsample != std::array<std::int64_t, 3>{1, 1, 1};
  if (auto* up = dynamic_cast<UpSampling3D*>(&prev); up && !upsampled) {
    spec_.upsample = up->spec().factors;
    return true;
  }
  auto* pad = dynamic_cast<ZeroPad3D*>(&prev);
  // A padding before an upsampling is not a padding of the upsampled input: not absorbed.
  if (!pad || upsampled) return false;
  for (int i = 0; i < 3; ++i) {
    spec_.extra_front[i] += pad->spec().front[i];
    spec_.extra_back[i] += pad->spec().back[i];
  }
  return true;
}

bool Conv3D::absorb_next(Layer& next) {
  auto* act = dynamic_cast<Eltwise*>(&next);
  if (!act || spec_.activation != Activation::none) return false;
  if (act->kind() == EltwiseKind::relu) {
    spec_.activation = Activation::relu;
    spec_.alpha = 0.f;
  } else if (act->kind() == EltwiseKind::leaky_relu && act->alpha() >= 0.f) {
    spec_.activation = Activation::leaky_relu;
    spec_.alpha = act->alpha();
  } else {
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------

ConvPlan::ConvPlan(Conv3D& conv, const Tensor& in, Mode mode, bool gradients)
    : Plan(conv, in, mode),
      conv_(conv),
      bias_(conv.spec().use_bias),
      act_(conv.spec().activation != Activation::none),
      gradients_(gradients) {
  const auto& s = conv.spec();
  const Dims od = conv.output_dims(in_dims_);
  const auto pf = conv.pad_front(in_dims_), pb = conv.pad_back(in_dims_);
  const memory::dims src_d = to_dnnl(in_dims_), dst_d = to_dnnl(od);
  const memory::dims w_d = {s.filters, in_dims_.c, s.kernel[0], s.kernel[1], s.kernel[2]};
  const memory::dims b_d = {s.filters}, strides = {1, 1, 1};
  const memory::dims pl = {pf[0], pf[1], pf[2]}, pr = {pb[0], pb[1], pb[2]};
  const memory::desc src_any(src_d, dt::f32, tag::any), w_any(w_d, dt::f32, tag::any);
  const memory::desc dst_any(dst_d, dt::f32, tag::any), b_md(b_d, dt::f32, tag::x);
  const memory::desc w_plain(w_d, dt::f32, tag::oidhw);
  auto& eng = ctx_.engine;
  const auto prop =
      mode == Mode::train ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  const auto alg = dnnl::algorithm::convolution_direct;

  dnnl::primitive_attr attr = scratch_attr();
  if (act_) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, s.alpha, 0.f);
    attr.set_post_ops(ops);
  }
  auto fd = bias_ ? dnnl::convolution_forward::desc(prop, alg, src_any, w_any, b_md, dst_any, strides, pl, pr)
                  : dnnl::convolution_forward::desc(prop, alg, src_any, w_any, dst_any, strides, pl, pr);
  fwd_pd_ = {fd, attr, eng};
  fwd_ = dnnl::convolution_forward(fwd_pd_);
  if (fwd_pd_.src_desc() != in_desc_) {
    src_re_ = Reorder(ctx_, in_desc_, fwd_pd_.src_desc());
    src_mem_ = memory(fwd_pd_.src_desc(), eng);
  }
  w_user_ = memory(w_plain, eng, DNNL_MEMORY_NONE);
  if (fwd_pd_.weights_desc() != w_plain) {
    w_re_ = Reorder(ctx_, w_plain, fwd_pd_.weights_desc());
    w_mem_ = memory(fwd_pd_.weights_desc(), eng);
  }
  if (bias_) b_user_ = memory(b_md, eng, DNNL_MEMORY_NONE);
  out_ = make_tensor(conv.context(), od, fwd_pd_.dst_desc());
  if (mode != Mode::train) return;

  // Backward: fused activation first (exact from the saved output), then data and weights.
  const memory::desc dst_md = fwd_pd_.dst_desc();
  if (act_) {
    const auto ea = dnnl::algorithm::eltwise_relu_use_dst_for_bwd;
    dnnl::eltwise_forward::primitive_desc hint({dnnl::prop_kind::forward_training, ea, dst_md, s.alpha, 0.f},
                                               eng);
    elt_pd_ = {{ea, dst_md, dst_md, s.alpha, 0.f}, scratch_attr(), eng, hint};
    elt_ = dnnl::eltwise_backward(elt_pd_);
    diff_pre_ = memory(dst_md, eng);
  }
  if (!gradients_) return;
  bd_pd_ = {{alg, src_any, w_any, dst_any, strides, pl, pr}, scratch_attr(), eng, fwd_pd_};
  bd_ = dnnl::convolution_backward_data(bd_pd_);
  if (bd_pd_.diff_dst_desc() != dst_md) {
    bd_ddst_re_ = Reorder(ctx_, dst_md, bd_pd_.diff_dst_desc());
    bd_ddst_ = memory(bd_pd_.diff_dst_desc(), eng);
  }
  if (bd_pd_.weights_desc() != w_plain && bd_pd_.weights_desc() != fwd_pd_.weights_desc()) {
    bd_w_re_ = Reorder(ctx_, w_plain, bd_pd_.weights_desc());
    bd_w_ = memory(bd_pd_.weights_desc(), eng);
  }
  diff_in_ = make_tensor(conv.context(), in_dims_, in_desc_);
  if (bd_pd_.diff_src_desc() != in_desc_) {
    bd_dsrc_re_ = Reorder(ctx_, bd_pd_.diff_src_desc(), in_desc_);
    bd_dsrc_ = memory(bd_pd_.diff_src_desc(), eng);
  }
  auto wd =
      bias_ ? dnnl::convolution_backward_weights::desc(alg, src_any, w_any, b_md, dst_any, strides, pl, pr)
            : dnnl::convolution_backward_weights::desc(alg, src_any, w_any, dst_any, strides, pl, pr);
  bw_pd_ = {wd, scratch_attr(), eng, fwd_pd_};
  // For some shapes (e.g. the generator's conv1: 8 input channels) oneDNN 2.6 has no JIT
  // weight-gradient kernel for the blocked layouts the forward chose and falls back to a
  // GEMM (x64:gemm, ~3x slower); its channels-last kernel handles them. The reorders below
  // move src and diff_dst into that layout (cheap next to the convolution).
  if (std::string(bw_pd_.impl_info_str()).find("gemm") != std::string::npos) {
    const memory::desc src_nl(src_d, dt::f32, tag::ndhwc), dst_nl(dst_d, dt::f32, tag::ndhwc);
    auto nl =
        bias_ ? dnnl::convolution_backward_weights::desc(alg, src_nl, w_any, b_md, dst_nl, strides, pl, pr)
              : dnnl::convolution_backward_weights::desc(alg, src_nl, w_any, dst_nl, strides, pl, pr);
    dnnl::convolution_backward_weights::primitive_desc alt(nl, scratch_attr(), eng, fwd_pd_);
    if (std::string(alt.impl_info_str()).find("jit") != std::string::npos) bw_pd_ = alt;
  }
  bw_ = dnnl::convolution_backward_weights(bw_pd_);
  if (bw_pd_.src_desc() != fwd_pd_.src_desc()) {
    bw_src_re_ = Reorder(ctx_, fwd_pd_.src_desc(), bw_pd_.src_desc());
    bw_src_ = memory(bw_pd_.src_desc(), eng);
  }
  if (bw_pd_.diff_dst_desc() != dst_md) {
    bw_ddst_re_ = Reorder(ctx_, dst_md, bw_pd_.diff_dst_desc());
    bw_ddst_ = memory(bw_pd_.diff_dst_desc(), eng);
  }
  bw_dw_ = memory(bw_pd_.diff_weights_desc(), eng);
  dw_re_ = Reorder(ctx_, bw_pd_.diff_weights_desc(), w_plain, /*accumulate=*/true);
  dw_user_ = memory(w_plain, eng, DNNL_MEMORY_NONE);
  if (bias_) bw_db_ = memory(b_md, eng);
}

const Tensor& ConvPlan::forward(const Tensor& in) {
  ParameterStore& store = *conv_.store();
  memory src = in.impl().mem;
  if (src_re_) {
    src_re_(ctx_, src, src_mem_);
    src = src_mem_;
  }
  w_user_.set_data_handle(store.value(conv_.weight_).data());
  memory w = w_user_;
  if (w_re_) {
    w_re_(ctx_, w_user_, w_mem_);
    w = w_mem_;
  }
  Args args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, out_.impl().mem}};
  if (bias_) {
    b_user_.set_data_handle(store.value(conv_.bias_).data());
    args[DNNL_ARG_BIAS] = b_user_;
  }
  ctx_.execute(fwd_, fwd_pd_, std::move(args));
  if (mode_ == Mode::train) saved_in_ = in;
  return out_;
}

memory ConvPlan::activation_backward(const Tensor& diff_out) {
  memory dd = diff_out.impl().mem;
  if (act_) {
    ctx_.execute(elt_, elt_pd_,
                 {{DNNL_ARG_DST, out_.impl().mem}, {DNNL_ARG_DIFF_DST, dd}, {DNNL_ARG_DIFF_SRC, diff_pre_}});
    dd = diff_pre_;
  }
  diff_pre_activation_ = dd;
  return dd;
}

const Tensor* ConvPlan::backward(const Tensor& diff_out, const BackwardOptions& opt) {
  if (!gradients_) throw std::logic_error(conv_.name() + ": ConvPlan built without gradients");
  ParameterStore& store = *conv_.store();
  const memory dd = activation_backward(diff_out);
  if (conv_.weight_grads()) {
    memory src = src_re_ ? src_mem_ : saved_in_.impl().mem;
    if (bw_src_re_) {
      bw_src_re_(ctx_, src, bw_src_);
      src = bw_src_;
    }
    memory ddw = dd;
    if (bw_ddst_re_) {
      bw_ddst_re_(ctx_, dd, bw_ddst_);
      ddw = bw_ddst_;
    }
    Args args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, ddw}, {DNNL_ARG_DIFF_WEIGHTS, bw_dw_}};
    if (bias_) args[DNNL_ARG_DIFF_BIAS] = bw_db_;
    ctx_.execute(bw_, bw_pd_, std::move(args));
    dw_user_.set_data_handle(store.grad(conv_.weight_).data());
    dw_re_(ctx_, bw_dw_, dw_user_);
    if (bias_) {
      auto g = store.grad(conv_.bias_);
      const float* db = static_cast<const float*>(bw_db_.get_data_handle());
      for (std::size_t i = 0; i < g.size(); ++i) g[i] += db[i];
    }
  }
  if (!opt.need_diff_in) return nullptr;
  memory ddd = dd;
  if (bd_ddst_re_) {
    bd_ddst_re_(ctx_, dd, bd_ddst_);
    ddd = bd_ddst_;
  }
  memory w = w_user_;  // still pointing at the values the forward used
  if (bd_w_re_) {
    bd_w_re_(ctx_, w_user_, bd_w_);
    w = bd_w_;
  } else if (bd_pd_.weights_desc() == fwd_pd_.weights_desc() && w_re_) {
    w = w_mem_;  // the forward's reordered weights
  }
  memory dsrc = bd_dsrc_re_ ? bd_dsrc_ : diff_in_.impl().mem;
  ctx_.execute(bd_, bd_pd_, {{DNNL_ARG_DIFF_DST, ddd}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, dsrc}});
  if (bd_dsrc_re_) bd_dsrc_re_(ctx_, bd_dsrc_, diff_in_.impl().mem);
  return &diff_in_;
}

std::unique_ptr<Plan> Conv3D::make_plan(const Tensor& in, Mode mode) {
  CALO_VALIDATE(store_ && store_->finalized(), name() + ": forward before declare()/finalize()");
  if (spec_.upsample != std::array<std::int64_t, 3>{1, 1, 1})
    return make_polyphase_conv_plan(*this, in, mode);
  if (auto fft = make_fft_conv_plan(*this, in, mode)) return fft;           // conv3d_fft.hh
  if (auto thin = make_thin_input_conv_plan(*this, in, mode)) return thin;  // conv3d_thin_input.hh
  return std::make_unique<ConvPlan>(*this, in, mode);
}

}  // namespace calo::nn
