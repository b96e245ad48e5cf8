#include "nn/conv3d_polyphase.hh"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/error.hh"

namespace calo::nn {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

BlockedLayout blocked_layout(const memory::desc& md) {
  const auto l = BlockedLayout::of(md);
  if (!l) throw std::logic_error("nn: polyphase: unsupported layout");
  return *l;
}

float* data_of(const memory& m) { return static_cast<float*>(m.get_data_handle()); }

}  // namespace

std::vector<PhaseAxis> split_phases(std::int64_t n, std::int64_t f, std::int64_t p, std::int64_t K,
                                    std::int64_t out) {
  std::vector<PhaseAxis> axes;
  for (std::int64_t r = 0; r < f && r < out; ++r) {
    PhaseAxis a;
    a.r = r;
    a.count = (out - r + f - 1) / f;
    const std::int64_t lo = floor_div(r - p, f), hi = floor_div(r - p + K - 1, f);
    a.taps = hi - lo + 1;
    for (std::int64_t k = 0; k < K; ++k) a.tap_of.push_back(floor_div(r - p + k, f) - lo);
    // Output q reads the input at q + lo + t: front padding -lo (>= 0 since r < f, p >= 0).
    a.pad_front = -lo;
    a.pad_back = std::max<std::int64_t>(0, a.count - 1 + hi - (n - 1));
    a.computed = n + a.pad_front + a.pad_back - a.taps + 1;
    axes.push_back(std::move(a));
  }
  return axes;
}

class PolyphaseConvPlan : public Plan {
 public:
  PolyphaseConvPlan(Conv3D& conv, const Tensor& in, Mode mode);
  const Tensor& forward(const Tensor& in) override;
  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override;

 private:
  struct Phase {
    std::array<const PhaseAxis*, 3> axis{};
    memory::dims w_dims;
    std::vector<float> w;  // phase kernel, plain [OC][IC][Ld][Lh][Lw]
    dnnl::convolution_forward::primitive_desc fwd_pd;
    dnnl::convolution_forward fwd;
    Reorder w_re;
    memory w_user, w_mem, dst;
    BlockedLayout dst_layout;  // of dst, for interleave
    // backward (train mode)
    memory ddst;  // the phase's part of diff_out; zero where the phase computes extra outputs
    dnnl::convolution_backward_data::primitive_desc bd_pd;
    dnnl::convolution_backward_data bd;
    Reorder bd_w_re;
    memory bd_w;
    dnnl::convolution_backward_weights::primitive_desc bw_pd;
    dnnl::convolution_backward_weights bw;
    Reorder dw_re;
    memory dw, dw_plain, db;
    std::vector<float> dw_host;
  };

  std::int64_t weight_taps() const {
    return conv_.spec().kernel[0] * conv_.spec().kernel[1] * conv_.spec().kernel[2];
  }
  /// fold: phase kernels (plain [OC][IC][Ld][Lh][Lw]) = the sums of the kernel taps
  /// (plain [OC][IC][KD][KH][KW]) each phase tap stands for; !fold: the adjoint, kernels +=
  /// the phase kernels' values at the taps they stand for (weight gradients).
  void for_each_tap(const Phase& ph, float* phase_kernels, float* kernels, bool fold) const;
  /// Copy between the layer's output layout and a phase's (scatter: phase -> full).
  void interleave(const Phase& ph, float* full, float* part, bool scatter) const;

  Conv3D& conv_;
  bool bias_, act_;
  Dims out_dims_;
  std::vector<float> folded_from_;  // the weights the phase kernels were folded from
  std::vector<PhaseAxis> axes_[3];
  std::vector<Phase> phases_;
  Reorder src_re_;
  memory src_mem_, b_user_;
  Tensor saved_in_, out_;
  BlockedLayout out_layout_;
  dnnl::eltwise_backward::primitive_desc elt_pd_;
  dnnl::eltwise_backward elt_;
  memory diff_pre_;
  memory dsum_, dtmp_;  // data gradient summed over phases, in the convolutions' src layout
  Reorder dsum_re_;
  Tensor diff_in_;
};

PolyphaseConvPlan::PolyphaseConvPlan(Conv3D& conv, const Tensor& in, Mode mode)
    : Plan(conv, in, mode),
      conv_(conv),
      bias_(conv.spec().use_bias),
      act_(conv.spec().activation != Activation::none) {
  const auto& s = conv.spec();
  auto& eng = ctx_.engine;
  out_dims_ = conv.output_dims(in_dims_);
  const auto pf = conv.pad_front(in_dims_);
  const std::int64_t n[3] = {in_dims_.d, in_dims_.h, in_dims_.w};
  const std::int64_t o[3] = {out_dims_.d, out_dims_.h, out_dims_.w};
  for (int i = 0; i < 3; ++i) axes_[i] = split_phases(n[i], s.upsample[i], pf[i], s.kernel[i], o[i]);

  const auto prop =
      mode == Mode::train ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  const auto alg = dnnl::algorithm::convolution_direct;
  const memory::dims strides = {1, 1, 1};
  const memory::desc b_md({s.filters}, dt::f32, tag::x);
  dnnl::primitive_attr attr = scratch_attr();
  if (act_) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, s.alpha, 0.f);
    attr.set_post_ops(ops);
  }
  // Phase 0 lets oneDNN choose the layouts; every other phase uses the same src and dst
  // layouts, so the phases share one input and interleave into one output.
  memory::desc src_md, dst_tag_md;
  phases_.reserve(axes_[0].size() * axes_[1].size() * axes_[2].size());
  for (const PhaseAxis& ad : axes_[0])
    for (const PhaseAxis& ah : axes_[1])
      for (const PhaseAxis& aw : axes_[2]) {
        Phase& ph = phases_.emplace_back();
        ph.axis = {&ad, &ah, &aw};
        ph.w_dims = {s.filters, in_dims_.c, ad.taps, ah.taps, aw.taps};
        ph.w.assign(static_cast<std::size_t>(s.filters * in_dims_.c * ad.taps * ah.taps * aw.taps), 0.f);
        const memory::dims dst_d = {in_dims_.n, s.filters, ad.computed, ah.computed, aw.computed};
        const memory::dims pl = {ad.pad_front, ah.pad_front, aw.pad_front};
        const memory::dims pr = {ad.pad_back, ah.pad_back, aw.pad_back};
        const bool first = phases_.size() == 1;
        const memory::desc src = first ? memory::desc(to_dnnl(in_dims_), dt::f32, tag::any) : src_md;
        const memory::desc dst = first ? memory::desc(dst_d, dt::f32, tag::any)
                                       : memory::desc(dst_d, dt::f32, layout_tag(dst_tag_md));
        const memory::desc w_any(ph.w_dims, dt::f32, tag::any), w_plain(ph.w_dims, dt::f32, tag::oidhw);
        auto fd = bias_ ? dnnl::convolution_forward::desc(prop, alg, src, w_any, b_md, dst, strides, pl, pr)
                        : dnnl::convolution_forward::desc(prop, alg, src, w_any, dst, strides, pl, pr);
        ph.fwd_pd = {fd, attr, eng};
        ph.fwd = dnnl::convolution_forward(ph.fwd_pd);
        if (first) {
          src_md = ph.fwd_pd.src_desc();
          dst_tag_md = ph.fwd_pd.dst_desc();
        }
        ph.w_user = memory(w_plain, eng, ph.w.data());
        if (ph.fwd_pd.weights_desc() != w_plain) {
          ph.w_re = Reorder(ctx_, w_plain, ph.fwd_pd.weights_desc());
          ph.w_mem = memory(ph.fwd_pd.weights_desc(), eng);
        }
        ph.dst = memory(ph.fwd_pd.dst_desc(), eng);
        ph.dst_layout = blocked_layout(ph.fwd_pd.dst_desc());
        if (mode != Mode::train) continue;

        const memory::desc dst_md = ph.fwd_pd.dst_desc();
        ph.ddst = memory(dst_md, eng);
        std::memset(ph.ddst.get_data_handle(), 0, dst_md.get_size());
        ph.bd_pd = {{alg, src_md, w_any, dst_md, strides, pl, pr}, scratch_attr(), eng, ph.fwd_pd};
        ph.bd = dnnl::convolution_backward_data(ph.bd_pd);
        if (ph.bd_pd.weights_desc() != ph.fwd_pd.weights_desc() && ph.bd_pd.weights_desc() != w_plain) {
          ph.bd_w_re = Reorder(ctx_, w_plain, ph.bd_pd.weights_desc());
          ph.bd_w = memory(ph.bd_pd.weights_desc(), eng);
        }
        auto wd =
            bias_
                ? dnnl::convolution_backward_weights::desc(alg, src_md, w_any, b_md, dst_md, strides, pl, pr)
                : dnnl::convolution_backward_weights::desc(alg, src_md, w_any, dst_md, strides, pl, pr);
        ph.bw_pd = {wd, scratch_attr(), eng, ph.fwd_pd};
        ph.bw = dnnl::convolution_backward_weights(ph.bw_pd);
        ph.dw = memory(ph.bw_pd.diff_weights_desc(), eng);
        ph.dw_host.assign(ph.w.size(), 0.f);
        ph.dw_plain = memory(w_plain, eng, ph.dw_host.data());
        if (ph.bw_pd.diff_weights_desc() != w_plain)
          ph.dw_re = Reorder(ctx_, ph.bw_pd.diff_weights_desc(), w_plain);
        if (bias_) ph.db = memory(b_md, eng);
      }

  if (src_md != in_desc_) {
    src_re_ = Reorder(ctx_, in_desc_, src_md);
    src_mem_ = memory(src_md, eng);
  }
  if (bias_) b_user_ = memory(b_md, eng, DNNL_MEMORY_NONE);
  out_ = make_tensor(conv.context(), out_dims_, same_layout(dst_tag_md, out_dims_));
  out_layout_ = blocked_layout(desc_of(out_));
  if (mode != Mode::train) return;

  const memory::desc out_md = desc_of(out_);
  if (act_) {
    const auto ea = dnnl::algorithm::eltwise_relu_use_dst_for_bwd;
    dnnl::eltwise_forward::primitive_desc hint({dnnl::prop_kind::forward_training, ea, out_md, s.alpha, 0.f},
                                               eng);
    elt_pd_ = {{ea, out_md, out_md, s.alpha, 0.f}, scratch_attr(), eng, hint};
    elt_ = dnnl::eltwise_backward(elt_pd_);
    diff_pre_ = memory(out_md, eng);
  }
  diff_in_ = make_tensor(conv.context(), in_dims_, in_desc_);
  if (src_md != in_desc_) {
    dsum_ = memory(src_md, eng);
    dsum_re_ = Reorder(ctx_, src_md, in_desc_);
  } else {
    dsum_ = diff_in_.impl().mem;
  }
  if (phases_.size() > 1) {
    dtmp_ = memory(src_md, eng);
  }
}

void PolyphaseConvPlan::for_each_tap(const Phase& ph, float* phase_kernels, float* kernels, bool fold) const {
  const auto& s = conv_.spec();
  const auto& td = ph.axis[0]->tap_of;
  const auto& th = ph.axis[1]->tap_of;
  const auto& tw = ph.axis[2]->tap_of;
  const std::int64_t lh = ph.axis[1]->taps, lw = ph.axis[2]->taps;
  const std::int64_t per = ph.axis[0]->taps * lh * lw, taps = weight_taps();
  const std::int64_t pairs = s.filters * in_dims_.c;
#pragma omp parallel for schedule(static)
  for (std::int64_t oi = 0; oi < pairs; ++oi) {
    float* phase = phase_kernels + oi * per;
    float* kernel = kernels + oi * taps;
    if (fold) std::fill(phase, phase + per, 0.f);
    for (std::int64_t kd = 0; kd < s.kernel[0]; ++kd)
      for (std::int64_t kh = 0; kh < s.kernel[1]; ++kh)
        for (std::int64_t kw = 0; kw < s.kernel[2]; ++kw) {
          float& p = phase[(td[kd] * lh + th[kh]) * lw + tw[kw]];
          float& k = kernel[(kd * s.kernel[1] + kh) * s.kernel[2] + kw];
          if (fold)
            p += k;  // the phase tap sums the kernel taps that read its input element
          else
            k += p;  // adjoint: each kernel tap gets the gradient of its phase tap
        }
  }
}

void PolyphaseConvPlan::interleave(const Phase& ph, float* full, float* part, bool scatter) const {
  const BlockedLayout &fl = out_layout_, &pl = ph.dst_layout;
  const std::int64_t run = std::min(fl.contiguous_channels(), pl.contiguous_channels());
  const std::int64_t channels = fl.padded(1);
  const auto& u = conv_.spec().upsample;
  const PhaseAxis &ad = *ph.axis[0], &ah = *ph.axis[1], &aw = *ph.axis[2];
  const std::int64_t outer = out_dims_.n * ((channels + run - 1) / run) * ad.count;
  const std::size_t bytes = static_cast<std::size_t>(run) * sizeof(float);
  const std::int64_t f_step = u[2] * fl.stride(4), p_step = pl.stride(4);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < outer; ++i) {
    const std::int64_t qd = i % ad.count, c = (i / ad.count) % ((channels + run - 1) / run) * run;
    const std::int64_t n = i / ad.count / ((channels + run - 1) / run);
    for (std::int64_t qh = 0; qh < ah.count; ++qh) {
      float* f = full + fl.offset(n, c, u[0] * qd + ad.r, u[1] * qh + ah.r, aw.r);
      float* p = part + pl.offset(n, c, qd, qh, 0);
      for (std::int64_t qw = 0; qw < aw.count; ++qw, f += f_step, p += p_step) {
        if (scatter)
          std::memcpy(f, p, bytes);
        else
          std::memcpy(p, f, bytes);
      }
    }
  }
}

const Tensor& PolyphaseConvPlan::forward(const Tensor& in) {
  ParameterStore& store = *conv_.store();
  memory src = in.impl().mem;
  if (src_re_) {
    src_re_(ctx_, src, src_mem_);
    src = src_mem_;
  }
  if (bias_) b_user_.set_data_handle(store.value(conv_.bias_).data());
  float* full = out_.impl().data();
  // Fold only when the weights changed since the last fold (always in training, once in
  // generation): comparing 1 MB costs far less than folding it into every phase.
  const auto weights = store.value(conv_.weight_);
  const bool refold = !std::equal(weights.begin(), weights.end(), folded_from_.begin(), folded_from_.end());
  if (refold) folded_from_.assign(weights.begin(), weights.end());
  for (Phase& ph : phases_) {
    if (refold) {
      for_each_tap(ph, ph.w.data(), weights.data(), /*fold=*/true);
      if (ph.w_re) ph.w_re(ctx_, ph.w_user, ph.w_mem);
    }
    const memory w = ph.w_re ? ph.w_mem : ph.w_user;
    Args args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, ph.dst}};
    if (bias_) args[DNNL_ARG_BIAS] = b_user_;
    ctx_.execute(ph.fwd, ph.fwd_pd, std::move(args));
    interleave(ph, full, data_of(ph.dst), /*scatter=*/true);
  }
  if (mode_ == Mode::train) saved_in_ = in;
  return out_;
}

const Tensor* PolyphaseConvPlan::backward(const Tensor& diff_out, const BackwardOptions& opt) {
  ParameterStore& store = *conv_.store();
  memory dd = diff_out.impl().mem;
  if (act_) {
    ctx_.execute(elt_, elt_pd_,
                 {{DNNL_ARG_DST, out_.impl().mem}, {DNNL_ARG_DIFF_DST, dd}, {DNNL_ARG_DIFF_SRC, diff_pre_}});
    dd = diff_pre_;
  }
  const memory src = src_re_ ? src_mem_ : saved_in_.impl().mem;
  for (std::size_t i = 0; i < phases_.size(); ++i) {
    Phase& ph = phases_[i];
    interleave(ph, data_of(dd), data_of(ph.ddst), /*scatter=*/false);
    if (conv_.weight_grads()) {
      Args args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, ph.ddst}, {DNNL_ARG_DIFF_WEIGHTS, ph.dw}};
      if (bias_) args[DNNL_ARG_DIFF_BIAS] = ph.db;
      ctx_.execute(ph.bw, ph.bw_pd, std::move(args));
      if (ph.dw_re)
        ph.dw_re(ctx_, ph.dw, ph.dw_plain);
      else
        std::memcpy(ph.dw_host.data(), ph.dw.get_data_handle(), ph.dw_host.size() * sizeof(float));
      for_each_tap(ph, ph.dw_host.data(), store.grad(conv_.weight_).data(), /*fold=*/false);
      if (bias_) {
        auto g = store.grad(conv_.bias_);
        const float* db = data_of(ph.db);
        for (std::size_t c = 0; c < g.size(); ++c) g[c] += db[c];
      }
    }
    if (!opt.need_diff_in) continue;
    memory w = ph.w_user;  // the phase kernel the forward folded
    if (ph.bd_w_re) {
      ph.bd_w_re(ctx_, ph.w_user, ph.bd_w);
      w = ph.bd_w;
    } else if (ph.bd_pd.weights_desc() == ph.fwd_pd.weights_desc() && ph.w_re) {
      w = ph.w_mem;
    }
    const memory& dsrc = i == 0 ? dsum_ : dtmp_;
    ctx_.execute(ph.bd, ph.bd_pd,
                 {{DNNL_ARG_DIFF_DST, ph.ddst}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, dsrc}});
    if (i > 0) {
      // Same layout, so an element-wise sum (oneDNN's accumulating reorder for equal
      // layouts is its slow generic one).
      float* acc = data_of(dsum_);
      const float* add = data_of(dtmp_);
      const std::int64_t size = static_cast<std::int64_t>(dsum_.get_desc().get_size() / sizeof(float));
#pragma omp parallel for simd schedule(static)
      for (std::int64_t k = 0; k < size; ++k) acc[k] += add[k];
    }
  }
  if (!opt.need_diff_in) return nullptr;
  if (dsum_re_) dsum_re_(ctx_, dsum_, diff_in_.impl().mem);
  return &diff_in_;
}

std::unique_ptr<Plan> make_polyphase_conv_plan(Conv3D& conv, const Tensor& in, Mode mode) {
  return std::make_unique<PolyphaseConvPlan>(conv, in, mode);
}

}  // namespace calo::nn
