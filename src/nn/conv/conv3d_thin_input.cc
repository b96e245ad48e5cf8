#include "nn/conv/conv3d_thin_input.hh"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hh"
#include "nn/conv/conv_plan.hh"
#include "nn/conv/slab_transpose.hh"

namespace calo::nn {

bool thin_input_pays(const Conv3DSpec& spec, const Dims& in) {
  const std::int64_t taps_hw = spec.kernel[1] * spec.kernel[2];
  return in.c <= 4 && taps_hw >= 2 && in.c * taps_hw <= 256;
}

namespace {

/// The folded convolution's backward-data for chunks of `chunk` samples, where oneDNN has a
/// fast kernel for it in layouts nn's loops read (else the thin-input plan does not apply).
struct FoldedBackwardData {
  dnnl::convolution_backward_data::primitive_desc pd;
  std::int64_t chunk = 1;   // samples per call (a divisor of the batch)
  memory::desc ddst_batch;  // the batch's diff in pd's layout, samples back to back
};

std::optional<FoldedBackwardData> folded_backward_data(ContextImpl& ctx, const Conv3D& conv, const Dims& in) {
  const auto& s = conv.spec();
  const Dims od = conv.output_dims(in);
  const auto pf = conv.pad_front(in), pb = conv.pad_back(in);
  const std::int64_t channels = (in.c * s.kernel[1] * s.kernel[2] + 15) / 16 * 16;
  FoldedBackwardData f;
  // Samples per call (a divisor of the batch): the chunk's dX' (C' D OH OW floats per
  // sample) stays in cache for the unfold and the buffer is 4 MiB, not the batch's. One
  // sample per call measured as fast (3.7 vs 4.0 ms for D conv1, batch 8, 2 threads), but
  // every call is a thread barrier, which costs a time slice when the cores are shared.
  const std::int64_t sample_bytes = channels * in.d * od.h * od.w * 4;
  constexpr std::int64_t kChunkBytes = std::int64_t{4} << 20;
  for (std::int64_t c = 1; c <= in.n; ++c)
    if (in.n % c == 0 && (c == 1 || c * sample_bytes <= kChunkBytes)) f.chunk = c;
  const memory::dims src_d = {f.chunk, channels, in.d, od.h, od.w};
  const memory::dims w_d = {s.filters, channels, s.kernel[0], 1, 1};
  const memory::dims dst_d = {f.chunk, od.c, od.d, od.h, od.w};
  const memory::dims strides = {1, 1, 1}, pl = {pf[0], 0, 0}, pr = {pb[0], 0, 0};
  const memory::desc src_any(src_d, dt::f32, tag::any), w_any(w_d, dt::f32, tag::any);
  const memory::desc dst_any(dst_d, dt::f32, tag::any);
  const auto alg = dnnl::algorithm::convolution_direct;
  dnnl::convolution_forward::primitive_desc hint(
      {dnnl::prop_kind::forward_training, alg, src_any, w_any, dst_any, strides, pl, pr}, scratch_attr(),
      ctx.engine);
  f.pd = {{alg, src_any, w_any, dst_any, strides, pl, pr}, scratch_attr(), ctx.engine, hint};
  // Our loops handle plain strides with at most one channel block (ncdhw, ndhwc, nCdhw16c).
  const auto channel_blocked = [](const memory::desc& md) {
    const auto l = BlockedLayout::of(md);
    return l && l->channel_blocked_only();
  };
  const std::string impl = f.pd.impl_info_str();
  if (!channel_blocked(f.pd.diff_src_desc()) || !channel_blocked(f.pd.diff_dst_desc()) ||
      impl.rfind("ref", 0) == 0)
    return std::nullopt;
  try {
    f.ddst_batch = same_layout(f.pd.diff_dst_desc(), od);
  } catch (const std::logic_error&) {
    return std::nullopt;
  }
  return f;
}

}  // namespace

class ThinInputConvPlan : public Plan {
 public:
  ThinInputConvPlan(Conv3D& conv, const Tensor& in, Mode mode, FoldedBackwardData folded);
  const Tensor& forward(const Tensor& in) override;
  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override;

 private:
  void fold_weights();
  /// Samples n0 .. n0 + chunk_ - 1 of diff_in (plain NCDHW at dx) from the folded
  /// convolution's data gradient of those samples (dxf, in fd_pd_'s diff_src layout).
  void unfold_data_gradient(std::int64_t n0, const float* dxf, float* dx) const;

  Conv3D& conv_;
  std::int64_t taps_ = 0;      // C' = IC * KH * KW (used channels of the fold)
  std::int64_t channels_ = 0;  // C' rounded up to 16
  std::array<std::int64_t, 3> pf_{}, pb_{};
  Dims out_dims_;
  // forward, activation backward and weight gradients: the direct plan
  ConvPlan direct_;
  // backward-data: per chunk of samples (its dX' stays in cache for the unfold), the folded
  // convolution's backward-data, then the adjoint of the gather
  dnnl::convolution_backward_data::primitive_desc fd_pd_;  // batch chunk_
  dnnl::convolution_backward_data fd_;
  std::vector<float> wf_host_;  // W' plain [OC][C'][KD][1][1], zero in the padded channels
  Reorder fd_w_re_, fd_ddst_re_, dx_re_;
  memory fd_w_user_, fd_w_, fd_ddst_, fd_ddst1_, fd_dsrc_, dx_plain_;
  memory::desc ddst_batch_;       // the batch's diff in fd_pd_'s layout
  std::int64_t ddst_sample_ = 0;  // floats per sample of it
  std::int64_t chunk_ = 1;        // samples per folded backward-data call
  Tensor diff_in_;
};

ThinInputConvPlan::ThinInputConvPlan(Conv3D& conv, const Tensor& in, Mode mode, FoldedBackwardData folded)
    : Plan(conv, in, mode),
      conv_(conv),
      direct_(conv, in, mode, ConvPlan::Gradients::weights_only),
      fd_pd_(std::move(folded.pd)),
      ddst_batch_(folded.ddst_batch),
      chunk_(folded.chunk) {
  const auto& s = conv.spec();
  out_dims_ = conv.output_dims(in_dims_);
  pf_ = conv.pad_front(in_dims_);
  pb_ = conv.pad_back(in_dims_);
  taps_ = in_dims_.c * s.kernel[1] * s.kernel[2];
  channels_ = (taps_ + 15) / 16 * 16;
  auto& eng = ctx_.engine;
  const memory::desc dst_md = direct_.dst_desc();

  // Backward-data through the fold.
  fd_ = dnnl::convolution_backward_data(fd_pd_);
  const memory::desc wf_plain({s.filters, channels_, s.kernel[0], 1, 1}, dt::f32, tag::oidhw);
  wf_host_.assign(static_cast<std::size_t>(s.filters * channels_ * s.kernel[0]), 0.f);
  fd_w_user_ = memory(wf_plain, eng, wf_host_.data());
  if (fd_pd_.weights_desc() != wf_plain) {
    fd_w_re_ = Reorder(ctx_, wf_plain, fd_pd_.weights_desc());
    fd_w_ = memory(fd_pd_.weights_desc(), eng);
  }
  // The batch's diff in the chunk primitive's layout (samples back to back: plain or
  // channel-blocked, checked above), reordered into it when the forward's differs.
  const memory::desc ddst1 = fd_pd_.diff_dst_desc();
  ddst_sample_ = static_cast<std::int64_t>(ddst1.get_size() / sizeof(float)) / chunk_;
  if (ddst_batch_ != dst_md) {
    fd_ddst_re_ = Reorder(ctx_, dst_md, ddst_batch_);
    fd_ddst_ = memory(ddst_batch_, eng);
  }
  fd_ddst1_ = memory(ddst1, eng, DNNL_MEMORY_NONE);
  fd_dsrc_ = memory(fd_pd_.diff_src_desc(), eng);
  diff_in_ = make_tensor(conv.context(), in_dims_, in_desc_);
  if (in_desc_ != plain_desc(in_dims_)) {
    dx_plain_ = memory(plain_desc(in_dims_), eng);
    dx_re_ = Reorder(ctx_, plain_desc(in_dims_), in_desc_);
  }
}

const Tensor& ThinInputConvPlan::forward(const Tensor& in) { return direct_.forward(in); }

void ThinInputConvPlan::fold_weights() {
  const auto& s = conv_.spec();
  const float* w = conv_.weight().data();
  const std::int64_t kd_n = s.kernel[0], khw = s.kernel[1] * s.kernel[2];
  const std::int64_t ic_n = in_dims_.c;
  // W[oc][ic][kd][kh][kw] -> W'[oc][c' = (ic, kh, kw)][kd]; padded channels stay zero.
  for (std::int64_t oc = 0; oc < s.filters; ++oc)
    for (std::int64_t ic = 0; ic < ic_n; ++ic)
      for (std::int64_t kd = 0; kd < kd_n; ++kd)
        for (std::int64_t t = 0; t < khw; ++t)
          wf_host_[(oc * channels_ + ic * khw + t) * kd_n + kd] = w[((oc * ic_n + ic) * kd_n + kd) * khw + t];
}

void ThinInputConvPlan::unfold_data_gradient(std::int64_t n0, const float* dxf, float* dx) const {
  const auto& s = conv_.spec();
  const BlockedLayout lay = *BlockedLayout::of(fd_pd_.diff_src_desc());  // checked at build
  const std::int64_t IC = in_dims_.c, D = in_dims_.d, H = in_dims_.h, W = in_dims_.w;
  const std::int64_t OH = out_dims_.h, OW = out_dims_.w, P = OH * OW;
  const std::int64_t KH = s.kernel[1], KW = s.kernel[2];
  const std::int64_t ph = pf_[1], pw = pf_[2];
  const std::int64_t block = lay.block(1), blocks = (taps_ + block - 1) / block;
  // A dense [OH][OW][block] slab per (n, channel block, d): transposed into per-channel
  // planes, then each plane is added, shifted by (kh, kw), onto the diff_in plane of its ic.
  const bool dense = lay.stride(4) == block && lay.stride(3) == OW * block;
#pragma omp parallel
  {
    std::vector<float> t(static_cast<std::size_t>(std::max<std::int64_t>(block, 4) * P));
    std::vector<float*> rows(static_cast<std::size_t>(std::max<std::int64_t>(block, 4)));
#pragma omp for schedule(static)
    for (std::int64_t task = 0; task < chunk_ * D; ++task) {
      const std::int64_t i = task / D, n = n0 + i, d = task % D;
      for (std::int64_t ic = 0; ic < IC; ++ic) std::fill_n(dx + ((n * IC + ic) * D + d) * H * W, H * W, 0.f);
      for (std::int64_t b = 0; b < blocks; ++b) {
        const std::int64_t lanes = std::min(block, taps_ - b * block);
        const float* slab = dxf + lay.offset0() + i * lay.stride(0) + b * lay.stride(1) + d * lay.stride(2);
        if (dense) {
          // Lanes rounded up to 4 where blocks allow (they exist in the slab, t has room).
          const std::int64_t n = block % 4 == 0 ? (lanes + 3) / 4 * 4 : lanes;
          for (std::int64_t l = 0; l < n; ++l) rows[l] = t.data() + l * P;
          slab_to_rows(slab, block, n, P, rows.data());
        } else {
          for (std::int64_t l = 0; l < lanes; ++l)
            for (std::int64_t oh = 0; oh < OH; ++oh)
              for (std::int64_t ow = 0; ow < OW; ++ow)
                t[l * P + oh * OW + ow] = slab[oh * lay.stride(3) + ow * lay.stride(4) + l];
        }
        for (std::int64_t l = 0; l < lanes; ++l) {
          const std::int64_t c = b * block + l, ic = c / (KH * KW);
          const std::int64_t kh = c / KW % KH, kw = c % KW;
          float* plane = dx + ((n * IC + ic) * D + d) * H * W;
          const float* src = t.data() + l * P;
          // dX[h][w] += dX'[h + ph - kh][w + pw - kw] where that lies inside [0,OH)x[0,OW).
          const std::int64_t h0 = std::max<std::int64_t>(0, kh - ph);
          const std::int64_t h1 = std::min<std::int64_t>(H, OH + kh - ph);
          const std::int64_t w0 = std::max<std::int64_t>(0, kw - pw);
          const std::int64_t w1 = std::min<std::int64_t>(W, OW + kw - pw);
          for (std::int64_t h = h0; h < h1; ++h) {
            float* out = plane + h * W;
            const float* row = src + (h + ph - kh) * OW;
            const std::int64_t shift = pw - kw;
            for (std::int64_t w = w0; w < w1; ++w) out[w] += row[w + shift];
          }
        }
      }
    }
  }
}

const Tensor* ThinInputConvPlan::backward(const Tensor& diff_out, const BackwardOptions& opt) {
  direct_.backward(diff_out, {.need_diff_in = false});  // activation and weight gradients
  const memory& dd = direct_.diff_pre_activation();
  if (!opt.need_diff_in) return nullptr;
  report_parameters_final(opt, conv_);
  memory ddd = dd;
  if (fd_ddst_re_) {
    fd_ddst_re_(ctx_, dd, fd_ddst_);
    ddd = fd_ddst_;
  }
  fold_weights();
  memory w = fd_w_user_;
  if (fd_w_re_) {
    fd_w_re_(ctx_, fd_w_user_, fd_w_);
    w = fd_w_;
  }
  float* dd_base = static_cast<float*>(ddd.get_data_handle());
  const float* dxf = static_cast<const float*>(fd_dsrc_.get_data_handle());
  float* dx = static_cast<float*>(dx_re_ ? dx_plain_.get_data_handle() : diff_in_.impl().data());
  for (std::int64_t n = 0; n < in_dims_.n; n += chunk_) {
    fd_ddst1_.set_data_handle(dd_base + n * ddst_sample_);
    ctx_.execute(fd_, fd_pd_,
                 {{DNNL_ARG_DIFF_DST, fd_ddst1_}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, fd_dsrc_}});
    unfold_data_gradient(n, dxf, dx);
  }
  if (dx_re_) dx_re_(ctx_, dx_plain_, diff_in_.impl().mem);
  return &diff_in_;
}

std::unique_ptr<Plan> make_thin_input_conv_plan(Conv3D& conv, const Tensor& in, Mode mode) {
  if (mode != Mode::train) return nullptr;  // the direct forward is the same plan
  if (conv.spec().upsample != std::array<std::int64_t, 3>{1, 1, 1}) return nullptr;
  const AlgorithmSwitch choice = conv.context().options().conv.thin;
  if (choice == AlgorithmSwitch::off) return nullptr;
  if (choice == AlgorithmSwitch::automatic && !thin_input_pays(conv.spec(), in.dims())) return nullptr;
  auto folded = folded_backward_data(conv.context().impl(), conv, in.dims());
  if (!folded) return nullptr;
  return std::make_unique<ThinInputConvPlan>(conv, in, mode, std::move(*folded));
}

bool thin_input_selected(Conv3D& conv, const Tensor& in, Mode mode) {
  return make_thin_input_conv_plan(conv, in, mode) != nullptr;
}

}  // namespace calo::nn
