#include "nn/conv/conv3d_polyphase.hh"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/error.hh"
#include "nn/conv/activation_backward.hh"
#include "nn/conv/conv3d_phase_infer.hh"
#include "nn/conv/direct_conv.hh"

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

void fold_phase_taps(const std::array<const PhaseAxis*, 3>& axis, const std::array<std::int64_t, 3>& kernel,
                     std::int64_t pairs, float* phase_kernels, float* kernels, bool fold) {
  const auto& td = axis[0]->tap_of;
  const auto& th = axis[1]->tap_of;
  const auto& tw = axis[2]->tap_of;
  const std::int64_t lh = axis[1]->taps, lw = axis[2]->taps;
  const std::int64_t per = axis[0]->taps * lh * lw, taps = kernel[0] * kernel[1] * kernel[2];
#pragma omp parallel for schedule(static)
  for (std::int64_t oi = 0; oi < pairs; ++oi) {
    float* phase = phase_kernels + oi * per;
    float* k_oi = kernels + oi * taps;
    if (fold) std::fill(phase, phase + per, 0.f);
    for (std::int64_t kd = 0; kd < kernel[0]; ++kd)
      for (std::int64_t kh = 0; kh < kernel[1]; ++kh)
        for (std::int64_t kw = 0; kw < kernel[2]; ++kw) {
          float& p = phase[(td[kd] * lh + th[kh]) * lw + tw[kw]];
          float& k = k_oi[(kd * kernel[1] + kh) * kernel[2] + kw];
          if (fold)
            p += k;  // the phase tap sums the kernel taps that read its input element
          else
            k += p;  // adjoint: each kernel tap gets the gradient of its phase tap
        }
  }
}

class PolyphaseConvPlan : public Plan {
 public:
  PolyphaseConvPlan(Conv3D& conv, const Tensor& in, Mode mode);
  const Tensor& forward(const Tensor& in) override;
  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override;

 private:
  struct Phase {
    std::array<const PhaseAxis*, 3> axis{};
    std::vector<float> w;        // phase kernel, plain [OC][IC][Ld][Lh][Lw]
    DirectConv conv;             // the phase's convolution of the original input
    memory dst;                  // its output, conv.dst_desc()
    BlockedLayout dst_layout;    // of dst, for interleave
    memory ddst;                 // the phase's part of diff_out; zero where the phase computes extra outputs
    std::vector<float> dw_host;  // the phase kernel's weight gradient, plain
  };

  /// fold_phase_taps for this layer's kernels.
  void for_each_tap(const Phase& ph, float* phase_kernels, float* kernels, bool fold) const;
  /// Copy between the layer's output layout and a phase's (scatter: phase -> full).
  void interleave(const Phase& ph, float* full, float* part, bool scatter) const;

  Conv3D& conv_;
  Dims out_dims_;
  std::vector<float> folded_from_;  // the weights the phase kernels were folded from
  std::vector<PhaseAxis> axes_[3];
  std::vector<Phase> phases_;
  Reorder src_re_;
  memory src_mem_;
  Tensor saved_in_, out_;
  BlockedLayout out_layout_;
  ActivationBackward act_bwd_;
  memory dsum_, dtmp_;  // data gradient summed over phases, in the convolutions' src layout
  Reorder dsum_re_;
  Tensor diff_in_;
};

PolyphaseConvPlan::PolyphaseConvPlan(Conv3D& conv, const Tensor& in, Mode mode)
    : Plan(conv, in, mode), conv_(conv) {
  const auto& s = conv.spec();
  auto& eng = ctx_.engine;
  out_dims_ = conv.output_dims(in_dims_);
  const auto pf = conv.pad_front(in_dims_);
  const std::int64_t n[3] = {in_dims_.d, in_dims_.h, in_dims_.w};
  const std::int64_t o[3] = {out_dims_.d, out_dims_.h, out_dims_.w};
  for (int i = 0; i < 3; ++i) axes_[i] = split_phases(n[i], s.upsample[i], pf[i], s.kernel[i], o[i]);

  // Each phase's weight gradient overwrites its own plain buffer, folded onto the layer's after.
  const DirectConv::Passes passes{.data = true, .weights = DirectConv::WeightGradient::overwrite};
  // Phase 0 lets oneDNN choose the layouts; every other phase uses the same src and dst
  // layouts, so the phases share one input and interleave into one output, and their data
  // gradients (in the src layout) sum element-wise.
  memory::desc src_md, dst_tag_md;
  phases_.reserve(axes_[0].size() * axes_[1].size() * axes_[2].size());
  for (const PhaseAxis& ad : axes_[0])
    for (const PhaseAxis& ah : axes_[1])
      for (const PhaseAxis& aw : axes_[2]) {
        Phase& ph = phases_.emplace_back();
        ph.axis = {&ad, &ah, &aw};
        const DirectConv::Shape shape{
            .src = to_dnnl(in_dims_),
            .weights = {s.filters, in_dims_.c, ad.taps, ah.taps, aw.taps},
            .dst = {in_dims_.n, s.filters, ad.computed, ah.computed, aw.computed},
            .pad_front = {ad.pad_front, ah.pad_front, aw.pad_front},
            .pad_back = {ad.pad_back, ah.pad_back, aw.pad_back},
            .bias = s.use_bias,
            .activation = s.activation,  // element-wise: the same on each phase as on the whole
            .alpha = s.alpha,
            .shift = s.channel_shift,  // per channel: the same on each phase too
            .bf16 = s.bf16,
        };
        ph.w.assign(static_cast<std::size_t>(s.filters * in_dims_.c * ad.taps * ah.taps * aw.taps), 0.f);
        const bool first = phases_.size() == 1;
        const DirectConv::Layouts layouts{
            .src = first ? memory::desc(shape.src, s.bf16 ? dt::bf16 : dt::f32, tag::any) : src_md,
            .dst = memory::desc(shape.dst, dt::f32, first ? tag::any : layout_tag(dst_tag_md)),
            .diff_src = src_md,  // phase 0: empty, its own src layout
            .backward_as_forward = true,
        };
        ph.conv = DirectConv(ctx_, shape, mode, passes, layouts);
        if (first) {
          src_md = ph.conv.src_desc();
          dst_tag_md = ph.conv.dst_desc();
        }
        ph.conv.set_weights(ctx_, ph.w.data());  // the buffer the forward folds into
        ph.dst = memory(ph.conv.dst_desc(), eng);
        ph.dst_layout = blocked_layout(ph.conv.dst_desc());
        if (mode != Mode::train) continue;
        ph.ddst = memory(ph.conv.dst_desc(), eng);
        std::memset(ph.ddst.get_data_handle(), 0, ph.conv.dst_desc().get_size());
        ph.dw_host.assign(ph.w.size(), 0.f);
      }

  if (src_md != in_desc_) {
    src_re_ = Reorder(ctx_, in_desc_, src_md);
    src_mem_ = memory(src_md, eng);
  }
  out_ = make_tensor(conv.context(), out_dims_, same_layout(dst_tag_md, out_dims_));
  out_layout_ = blocked_layout(desc_of(out_));
  if (mode != Mode::train) return;

  act_bwd_ = ActivationBackward(ctx_, desc_of(out_), s.activation, s.alpha);
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
  fold_phase_taps(ph.axis, conv_.spec().kernel, conv_.spec().filters * in_dims_.c, phase_kernels, kernels,
                  fold);
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
  memory src = in.impl().mem;
  if (src_re_) {
    src_re_(ctx_, src, src_mem_);
    src = src_mem_;
  }
  float* full = out_.impl().data();
  // Fold only when the weights changed since the last fold (always in training, once in
  // generation): comparing 1 MB costs far less than folding it into every phase.
  const auto weights = conv_.weight();
  const bool refold = !(conv_.constant_weights() && !folded_from_.empty()) &&
                      !std::equal(weights.begin(), weights.end(), folded_from_.begin(), folded_from_.end());
  if (refold) folded_from_.assign(weights.begin(), weights.end());
  for (Phase& ph : phases_) {
    if (refold) {
      for_each_tap(ph, ph.w.data(), weights.data(), /*fold=*/true);
      ph.conv.set_weights(ctx_, ph.w.data());
    }
    ph.conv.forward(ctx_, src, ph.dst, conv_.bias().data(), conv_.shift().data());
    interleave(ph, full, data_of(ph.dst), /*scatter=*/true);
  }
  if (mode_ == Mode::train) saved_in_ = in;
  return out_;
}

const Tensor* PolyphaseConvPlan::backward(const Tensor& diff_out, const BackwardOptions& opt) {
  const memory dd = act_bwd_(ctx_, out_.impl().mem, diff_out.impl().mem);
  const memory src = src_re_ ? src_mem_ : saved_in_.impl().mem;
  // Every phase's weight gradients first, then the data gradients: the layer's parameters are
  // final (report_parameters_final) while its data gradient still computes.
  for (Phase& ph : phases_) {
    interleave(ph, data_of(dd), data_of(ph.ddst), /*scatter=*/false);
    if (conv_.weight_grads()) {
      ph.conv.backward_weights(ctx_, src, ph.ddst, ph.dw_host.data(), conv_.bias_grad().data());
      for_each_tap(ph, ph.dw_host.data(), conv_.weight_grad().data(), /*fold=*/false);
    }
  }
  if (!opt.need_diff_in) return nullptr;
  report_parameters_final(opt, conv_);
  for (std::size_t i = 0; i < phases_.size(); ++i) {
    Phase& ph = phases_[i];
    const memory& dsrc = i == 0 ? dsum_ : dtmp_;
    ph.conv.backward_data(ctx_, ph.ddst, dsrc);
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
  if (dsum_re_) dsum_re_(ctx_, dsum_, diff_in_.impl().mem);
  return &diff_in_;
}

std::unique_ptr<Plan> make_polyphase_conv_plan(Conv3D& conv, const Tensor& in, Mode mode) {
  if (auto own = make_phase_infer_plan(conv, in, mode)) return own;  // conv3d_phase_infer.hh
  return std::make_unique<PolyphaseConvPlan>(conv, in, mode);
}

}  // namespace calo::nn
