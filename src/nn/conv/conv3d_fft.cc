#include "nn/conv/conv3d_fft.hh"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

#include "core/error.hh"
#include "nn/conv/conv_plan.hh"
#include "nn/conv/real_fft3d.hh"
#include "nn/conv/slab_transpose.hh"
#include "nn/conv/spectral_product.hh"

namespace calo::nn {

std::array<std::int64_t, 3> fft_size(const Conv3D& conv, const Dims& in) {
  const auto pf = conv.pad_front(in), pb = conv.pad_back(in);
  const std::int64_t sizes[3] = {in.d, in.h, in.w};
  std::array<std::int64_t, 3> n{};
  for (int i = 0; i < 3; ++i) n[i] = RealFft3D::good_size(sizes[i] + pf[i] + pb[i]);
  return n;
}

bool fft_pays(const Conv3D& conv, const Dims& in) {
  const auto& s = conv.spec();
  if (s.kernel[0] * s.kernel[1] * s.kernel[2] < 27 || in.c < 8 || s.filters < 8) return false;
  // Calibrated with the AVX-512 kernels; without them the spectral products run scalar.
  if (std::string(spectral::kernels(conv.context().options().conv.fft_isa).isa) != "avx512") return false;
  // The direct convolution's work: oneDNN skips the taps that fall on padding, so count per
  // dimension the (output, tap) pairs that read the input (separable).
  const Dims out = conv.output_dims(in);
  const auto pf = conv.pad_front(in);
  const std::int64_t sizes[3] = {in.d, in.h, in.w}, outs[3] = {out.d, out.h, out.w};
  double direct = 2.0 * static_cast<double>(in.n * in.c * s.filters);
  for (int i = 0; i < 3; ++i) {
    std::int64_t pairs = 0;
    for (std::int64_t o = 0; o < outs[i]; ++o)
      pairs += std::max<std::int64_t>(
          0, std::min(sizes[i], o - pf[i] + s.kernel[i]) - std::max<std::int64_t>(0, o - pf[i]));
    direct *= static_cast<double>(pairs);
  }
  // The FFT plan's work per forward (backward-data and weights cost about the same again,
  // like the direct convolution's): plane transforms (2.5 N log2 N flops each, for the input
  // and output channels) and spectral products (8 flops per complex multiply-add). Fitted to
  // nn_conv_bench on the discriminator's conv2..4 (docs/nn.md): both run ~7x slower per flop
  // than oneDNN's direct kernels (FFTW has no AVX-512 kernels in Debian's build).
  const auto n = fft_size(conv, in);
  const double points = static_cast<double>(n[0] * n[1] * n[2]);
  const double bins = static_cast<double>(n[0] * n[1] * (n[2] / 2 + 1));
  const double samples = static_cast<double>(in.n);
  // The plan keeps the batch's spectra (inputs, products, output gradients) and the kernels'
  // spectra: above 1 GiB (batch ~90 for the discriminator's conv2) the direct convolution,
  // which needs none of it, is the better trade.
  const double spectra = samples * static_cast<double>(2 * std::max(in.c, s.filters) + s.filters) +
                         static_cast<double>(in.c * s.filters);
  if (spectra * bins * 8.0 > static_cast<double>(std::int64_t{1} << 30)) return false;
  const double transforms =
      samples * static_cast<double>(in.c + s.filters) * 2.5 * points * std::log2(points);
  const double product = samples * bins * static_cast<double>(in.c * s.filters) * 8.0;
  return 7.0 * (transforms + product) < direct;
}

namespace {

constexpr std::int64_t kChunk = 16;  // planes per task: one channel block of nCdhw16c
constexpr std::int64_t kTile = 4;    // input x output channels per weight-gradient tile

/// Splits [0, count) into ranges of whole chunks of `grain` items, run by `threads` threads.
template <class F>
void parallel_blocks(int threads, std::int64_t count, std::int64_t grain, F&& f) {
  const std::int64_t chunks = (count + grain - 1) / grain;
#pragma omp parallel for schedule(static) num_threads(threads)
  for (std::int64_t c = 0; c < chunks; ++c) f(c * grain, std::min(count, (c + 1) * grain));
}

/// Calls row(j, at, in_plane) for every (D, H) row of channels c0 .. c0 + cn - 1 of sample i:
/// `at` is the row's first element in the tensor (layout lay, dims), `in_plane` in plane j
/// of a chunk of planes (sizes n, P floats each), shifted by offset. Channel-blocked layouts
/// only (checked at plan build): D and H are plain strides.
template <class F>
void for_each_row(const BlockedLayout& lay, const Dims& dims, std::int64_t i, std::int64_t c0,
                  std::int64_t cn, const std::array<std::int64_t, 3>& n, std::int64_t P,
                  const std::array<std::int64_t, 3>& offset, F&& row) {
  const std::int64_t sd = lay.stride(2), sh = lay.stride(3);
  std::int64_t base[kChunk];
  for (std::int64_t j = 0; j < cn; ++j) base[j] = lay.offset(i, c0 + j, 0, 0, 0);
  for (std::int64_t d = 0; d < dims.d; ++d)
    for (std::int64_t h = 0; h < dims.h; ++h)
      for (std::int64_t j = 0; j < cn; ++j)
        row(j, base[j] + d * sd + h * sh,
            j * P + ((d + offset[0]) * n[1] + h + offset[1]) * n[2] + offset[2]);
}

/// True if channels c0 .. c0 + cn - 1 are one whole channel block of 16 stored densely
/// ([W][16] per (d, h), nCdhw16c): then rows move by 4 x 4 transposes (slab_transpose.hh).
bool whole_block(const BlockedLayout& lay, std::int64_t c0, std::int64_t cn) {
  return lay.block(1) == kChunk && cn == kChunk && c0 % kChunk == 0 && lay.stride(4) == kChunk;
}

/// Calls slab(at, in_plane) for every (D, H) row of the block of channels starting at c0
/// (whole_block): `at` is the slab's first element in the tensor, `in_plane` the row's
/// first element in plane 0 of a chunk of planes (sizes n, P floats each), shifted by offset.
template <class F>
void for_each_slab(const BlockedLayout& lay, const Dims& dims, std::int64_t i, std::int64_t c0,
                   const std::array<std::int64_t, 3>& n, std::int64_t P,
                   const std::array<std::int64_t, 3>& offset, F&& slab) {
  for_each_row(lay, dims, i, c0, 1, n, P, offset,
               [&](std::int64_t, std::int64_t at, std::int64_t in_plane) { slab(at, in_plane); });
}

}  // namespace

class FftConvPlan : public Plan {
 public:
  /// direct: the layer's direct plan without gradients (its output buffer and activation
  /// backward); in and out layouts checked by the caller (channel-blocked only).
  FftConvPlan(Conv3D& conv, const Tensor& in, Mode mode, std::unique_ptr<ConvPlan> direct);
  const Tensor& forward(const Tensor& in) override;
  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override;

 private:
  void transform_weights();
  /// Weight and bias gradients (+= into the store) from the forward's input spectra and the
  /// output gradient's spectra: dW_oc,ic = IDFT( sum_n X_ic conj(DY_oc) ) at 0..K-1, the
  /// inverse pruned to the K0 x K1 x K2 corner (separable partial DFTs); db_oc = sum_n DY_oc(0).
  void weight_gradients(const spectral::Kernels& k);
  /// Spectra [N][C][S] of the channels of t (layout lay) placed at `offset` in the plane.
  void to_spectra(const RealFft3D& fft, const float* t, const BlockedLayout& lay, const Dims& dims,
                  const std::array<std::int64_t, 3>& offset, std::vector<RealFft3D::Buffer>& planes,
                  float* spectra);
  /// t (layout lay, dims) = the inverse transforms of spectra [N][C][S] read from `offset`,
  /// plus bias, through the activation (forward) or as they are (data gradient).
  void from_spectra(const RealFft3D& fft, float* spectra, const std::array<std::int64_t, 3>& offset,
                    const Dims& dims, const BlockedLayout& lay, float* t, const float* bias, bool activate);

  Conv3D& conv_;
  std::unique_ptr<ConvPlan> direct_;
  const spectral::Kernels& kernels_;  // the context's choice
  std::array<std::int64_t, 3> pf_{};
  Dims out_dims_;
  // Transforms restricted to where the data lives: the input's box (at the front padding;
  // the input's forward, the data gradient's inverse) and the output's (at the origin).
  std::unique_ptr<RealFft3D> fft_in_, fft_out_;
  BlockedLayout in_lay_, out_lay_;
  // The context's threads: the per-thread buffers are made for them, and every parallel loop
  // that indexes those by omp_get_thread_num() runs with exactly that many (another Context
  // may have changed the OpenMP default since).
  int threads_ = 1;
  std::int64_t stride_ = 0;  // complex numbers per spectrum in the buffers
  // Per thread: kChunk planes with the input at the front padding (zero elsewhere, kept so),
  // kChunk planes with the output gradient at the origin (likewise), kChunk scratch planes
  // for the inverse transforms.
  std::vector<RealFft3D::Buffer> planes_x_, planes_dy_, planes_out_;
  RealFft3D::Buffer spectra_in_, spectra_out_;  // [N][max(IC, OC)][S]: X (kept for backward), products
  RealFft3D::Buffer spectra_dy_;                // [N][OC][S], train mode
  std::vector<std::vector<float>> twiddle_;     // per dimension [K][N] complex e^{+2 pi i f k / N}
  // Per thread, the kernels' partial DFTs (both directions): one D plane of a spectrum,
  // rows [kTile^2][K0][N1][half] (transformed along D / W and H), rows [K0][K1][half].
  std::vector<std::vector<float>> cross_, rows_d_, rows_dh_;
  RealFft3D::Buffer w_hat_;              // [S/8][IC][OC][8] complex, scaled 1/(N0 N1 N2)
  std::vector<float> transformed_from_;  // the weights w_hat_ holds
  Tensor diff_in_;
};

FftConvPlan::FftConvPlan(Conv3D& conv, const Tensor& in, Mode mode, std::unique_ptr<ConvPlan> direct)
    : Plan(conv, in, mode),
      conv_(conv),
      direct_(std::move(direct)),
      kernels_(spectral::kernels(ctx_.options.conv.fft_isa)),
      in_lay_(*BlockedLayout::of(in_desc_)),
      out_lay_(*BlockedLayout::of(direct_->dst_desc())) {
  const auto& s = conv.spec();
  out_dims_ = conv.output_dims(in_dims_);
  pf_ = conv.pad_front(in_dims_);
  const auto size = fft_size(conv, in_dims_);
  fft_in_ = std::make_unique<RealFft3D>(size, RealFft3D::Box{pf_, {in_dims_.d, in_dims_.h, in_dims_.w}});
  fft_out_ =
      std::make_unique<RealFft3D>(size, RealFft3D::Box{{0, 0, 0}, {out_dims_.d, out_dims_.h, out_dims_.w}});
  stride_ = fft_in_->spectrum_stride();
  const std::int64_t IC = in_dims_.c, OC = s.filters, C = std::max(IC, OC);
  threads_ = std::max(1, ctx_.threads());
  const auto plane = static_cast<std::size_t>(fft_in_->plane_stride());
  for (int t = 0; t < threads_; ++t) {
    planes_x_.push_back(RealFft3D::alloc(kChunk * plane));
    planes_out_.push_back(RealFft3D::alloc(kChunk * plane));
    if (mode == Mode::train) planes_dy_.push_back(RealFft3D::alloc(kChunk * plane));
  }
  const auto spectra = static_cast<std::size_t>(in_dims_.n * C * 2 * stride_);
  spectra_in_ = RealFft3D::alloc(spectra);
  spectra_out_ = RealFft3D::alloc(spectra);
  w_hat_ = RealFft3D::alloc(static_cast<std::size_t>(IC * OC * 2 * stride_));
  if (mode == Mode::train) {
    diff_in_ = make_tensor(conv.context(), in_dims_, in_desc_);
    spectra_dy_ = RealFft3D::alloc(static_cast<std::size_t>(in_dims_.n * OC * 2 * stride_));
  }
  // Twiddles and per-thread rows of the kernels' partial DFTs (transform_weights and the
  // weight gradient's pruned inverse).
  const auto& n = fft_in_->size();
  const std::int64_t half = n[2] / 2 + 1;
  for (int d = 0; d < 3; ++d) {
    std::vector<float> tw(static_cast<std::size_t>(2 * s.kernel[d] * n[d]));
    for (std::int64_t k = 0; k < s.kernel[d]; ++k)
      for (std::int64_t f = 0; f < n[d]; ++f) {
        const double phase =
            2 * std::numbers::pi * static_cast<double>((f * k) % n[d]) / static_cast<double>(n[d]);
        tw[2 * (k * n[d] + f)] = static_cast<float>(std::cos(phase));
        tw[2 * (k * n[d] + f) + 1] = static_cast<float>(std::sin(phase));
      }
    twiddle_.push_back(std::move(tw));
  }
  for (int t = 0; t < threads_; ++t) {
    cross_.emplace_back(static_cast<std::size_t>(2 * kTile * kTile * n[1] * half));  // a tile's D planes
    rows_d_.emplace_back(static_cast<std::size_t>(2 * kTile * kTile * s.kernel[0] * n[1] * half));
    rows_dh_.emplace_back(static_cast<std::size_t>(2 * s.kernel[0] * s.kernel[1] * half));
  }
}

void FftConvPlan::transform_weights() {
  const auto& s = conv_.spec();
  const auto w = conv_.weight();
  if (std::equal(w.begin(), w.end(), transformed_from_.begin(), transformed_from_.end())) return;
  transformed_from_.assign(w.begin(), w.end());
  const spectral::Kernels& kern = kernels_;
  const std::int64_t IC = in_dims_.c, OC = s.filters;
  const std::int64_t K0 = s.kernel[0], K1 = s.kernel[1], K2 = s.kernel[2];
  const auto& n = fft_in_->size();
  const std::int64_t half = n[2] / 2 + 1, plane = n[1] * half;
  const float scale = 1.f / static_cast<float>(fft_in_->plane_floats());
  const float* tw0 = twiddle_[0].data();
  const float* tw1 = twiddle_[1].data();
  const float* tw2 = twiddle_[2].data();
  float* what = w_hat_.get();
  // A kernel fills only the K0 x K1 x K2 corner of its plane: its transform is three partial
  // DFTs (along W, H, D: K taps each) instead of a full FFT of the plane (~5x less work at
  // 5^3 in 32^3). Forward transforms use e^{-i...}, the conjugate twiddles.
#pragma omp parallel for schedule(static) num_threads(threads_)
  for (std::int64_t pair = 0; pair < IC * OC; ++pair) {
    const int t = omp_get_thread_num();
    const std::int64_t oc = pair / IC, ic = pair % IC;
    const float* k = w.data() + (oc * IC + ic) * K0 * K1 * K2;
    float* along_w = rows_dh_[t].data();  // [K0][K1][half]
    float* along_h = rows_d_[t].data();   // [K0][N1][half]
    float* out = cross_[t].data();        // one D plane [N1][half]
    for (std::int64_t r = 0; r < K0 * K1; ++r)
      for (std::int64_t f2 = 0; f2 < half; ++f2) {
        double re = 0, im = 0;
        for (std::int64_t kw = 0; kw < K2; ++kw) {
          const float* e = tw2 + 2 * (kw * n[2] + f2);
          re += static_cast<double>(k[r * K2 + kw]) * e[0];
          im -= static_cast<double>(k[r * K2 + kw]) * e[1];
        }
        along_w[2 * (r * half + f2)] = static_cast<float>(re);
        along_w[2 * (r * half + f2) + 1] = static_cast<float>(im);
      }
    std::fill_n(along_h, 2 * K0 * plane, 0.f);
    for (std::int64_t kd = 0; kd < K0; ++kd)
      for (std::int64_t f1 = 0; f1 < n[1]; ++f1)
        for (std::int64_t kh = 0; kh < K1; ++kh)
          kern.axpy(tw1[2 * (kh * n[1] + f1)], -tw1[2 * (kh * n[1] + f1) + 1],
                    along_w + 2 * (kd * K1 + kh) * half, along_h + 2 * (kd * plane + f1 * half), half);
    for (std::int64_t f0 = 0; f0 < n[0]; ++f0) {
      std::fill_n(out, 2 * plane, 0.f);
      for (std::int64_t kd = 0; kd < K0; ++kd)
        kern.axpy(tw0[2 * (kd * n[0] + f0)] * scale, -tw0[2 * (kd * n[0] + f0) + 1] * scale,
                  along_h + 2 * kd * plane, out, plane);
      // Into w_hat_'s [S/8][IC][OC][8] layout (its bins past the spectrum stay zero): whole
      // blocks of 8 bins when planes hold whole blocks (N1 (N2/2+1) % 8 == 0, as for 32^3).
      if (plane % 8 == 0) {
        for (std::int64_t j = 0; j < plane; j += 8)
          std::copy_n(out + 2 * j, 16, what + ((((f0 * plane + j) / 8) * IC + ic) * OC + oc) * 16);
      } else {
        for (std::int64_t j = 0; j < plane; ++j) {
          const std::int64_t f = f0 * plane + j;
          float* dst = what + (((f / 8) * IC + ic) * OC + oc) * 16 + (f % 8) * 2;
          dst[0] = out[2 * j];
          dst[1] = out[2 * j + 1];
        }
      }
    }
  }
}

void FftConvPlan::to_spectra(const RealFft3D& fft, const float* t, const BlockedLayout& lay, const Dims& dims,
                             const std::array<std::int64_t, 3>& offset,
                             std::vector<RealFft3D::Buffer>& planes, float* spectra) {
  const auto& n = fft.size();
  const std::int64_t P = fft.plane_stride(), C = dims.c;
  const std::int64_t chunks = (C + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) num_threads(threads_)
  for (std::int64_t task = 0; task < dims.n * chunks; ++task) {
    const std::int64_t i = task / chunks, c0 = task % chunks * kChunk;
    const std::int64_t cn = std::min(kChunk, C - c0);
    float* buf = planes[omp_get_thread_num()].get();
    const std::int64_t sw = lay.stride(4);
    if (whole_block(lay, c0, cn)) {  // a dense [W][16] slab per (d, h): transposed into 16 rows
      float* rows[kChunk];
      for_each_slab(lay, dims, i, c0, n, P, offset, [&](std::int64_t at, std::int64_t in_plane) {
        for (std::int64_t j = 0; j < kChunk; ++j) rows[j] = buf + j * P + in_plane;
        slab_to_rows(t + at, kChunk, kChunk, dims.w, rows);
      });
    } else {
      for_each_row(lay, dims, i, c0, cn, n, P, offset,
                   [&](std::int64_t, std::int64_t at, std::int64_t in_plane) {
                     const float* src = t + at;
                     float* row = buf + in_plane;
                     for (std::int64_t w = 0; w < dims.w; ++w) row[w] = src[w * sw];
                   });
    }
    for (std::int64_t j = 0; j < cn; ++j) fft.forward(buf + j * P, spectra + (i * C + c0 + j) * 2 * stride_);
  }
}

void FftConvPlan::from_spectra(const RealFft3D& fft, float* spectra,
                               const std::array<std::int64_t, 3>& offset, const Dims& dims,
                               const BlockedLayout& lay, float* t, const float* bias, bool activate) {
  const auto& s = conv_.spec();
  const auto& n = fft.size();
  const std::int64_t P = fft.plane_stride(), C = dims.c;
  const std::int64_t chunks = (C + kChunk - 1) / kChunk;
  const bool act = activate && s.activation != Activation::none;
  const float alpha = s.alpha;
#pragma omp parallel for schedule(static) num_threads(threads_)
  for (std::int64_t task = 0; task < dims.n * chunks; ++task) {
    const std::int64_t i = task / chunks, c0 = task % chunks * kChunk;
    const std::int64_t cn = std::min(kChunk, C - c0);
    float* buf = planes_out_[omp_get_thread_num()].get();
    for (std::int64_t j = 0; j < cn; ++j) fft.inverse(spectra + (i * C + c0 + j) * 2 * stride_, buf + j * P);
    const std::int64_t sw = lay.stride(4);
    if (whole_block(lay, c0, cn)) {  // 16 rows transposed into a dense [W][16] slab per (d, h)
      float b[kChunk];
      for (std::int64_t j = 0; j < kChunk; ++j) b[j] = bias ? bias[c0 + j] : 0.f;
      const float* rows[kChunk];
      for_each_slab(lay, dims, i, c0, n, P, offset, [&](std::int64_t at, std::int64_t in_plane) {
        for (std::int64_t j = 0; j < kChunk; ++j) rows[j] = buf + j * P + in_plane;
        float* slab = t + at;
        rows_to_slab(rows, kChunk, kChunk, dims.w, slab);
        for (std::int64_t w = 0; w < dims.w; ++w)
          for (std::int64_t j = 0; j < kChunk; ++j) {
            const float v = slab[w * kChunk + j] + b[j];
            slab[w * kChunk + j] = act && v <= 0.f ? alpha * v : v;
          }
      });
    } else {
      for_each_row(lay, dims, i, c0, cn, n, P, offset,
                   [&](std::int64_t j, std::int64_t at, std::int64_t in_plane) {
                     float* dst = t + at;
                     const float* row = buf + in_plane;
                     const float b = bias ? bias[c0 + j] : 0.f;
                     if (act) {
                       for (std::int64_t w = 0; w < dims.w; ++w) {
                         const float v = row[w] + b;
                         dst[w * sw] = v > 0.f ? v : alpha * v;
                       }
                     } else {
                       for (std::int64_t w = 0; w < dims.w; ++w) dst[w * sw] = row[w] + b;
                     }
                   });
    }
  }
}

void FftConvPlan::weight_gradients(const spectral::Kernels& kern) {
  const auto& s = conv_.spec();
  const std::int64_t IC = in_dims_.c, OC = s.filters, batch = in_dims_.n;
  const std::int64_t K0 = s.kernel[0], K1 = s.kernel[1], K2 = s.kernel[2];
  const auto& n = fft_in_->size();
  const std::int64_t half = n[2] / 2 + 1, plane = n[1] * half;  // complex numbers per D plane
  const double scale = 1.0 / static_cast<double>(fft_in_->plane_floats());
  float* dw = conv_.weight_grad().data();
  const float* X = spectra_in_.get();
  const float* DY = spectra_dy_.get();
  const float* tw0 = twiddle_[0].data();
  const float* tw1 = twiddle_[1].data();
  const float* tw2 = twiddle_[2].data();
  // Tiles of kTile x kTile (ic, oc) pairs, D plane by D plane: the tile's input and output
  // gradient planes (2 kTile batch planes) stay in cache while its kTile^2 pairs read them,
  // instead of every pair streaming both channels' whole spectra from memory.
  const std::int64_t tiles_ic = (IC + kTile - 1) / kTile, tiles_oc = (OC + kTile - 1) / kTile;
#pragma omp parallel for schedule(static) num_threads(threads_)
  for (std::int64_t tile = 0; tile < tiles_ic * tiles_oc; ++tile) {
    const int t = omp_get_thread_num();
    const std::int64_t ic0 = tile / tiles_oc * kTile, oc0 = tile % tiles_oc * kTile;
    const std::int64_t ic_n = std::min(kTile, IC - ic0), oc_n = std::min(kTile, OC - oc0);
    float* cross = cross_[t].data();
    float* rd_tile = rows_d_[t].data();  // [kTile^2][K0][plane]
    float* rdh = rows_dh_[t].data();
    std::fill(rows_d_[t].begin(), rows_d_[t].end(), 0.f);
    const spectral::CrossTile layout{ic_n,         stride_, IC * stride_, oc_n, stride_,
                                     OC * stride_, batch,   plane,        plane};
    for (std::int64_t f0 = 0; f0 < n[0]; ++f0) {
      kern.cross_spectrum(X + 2 * (ic0 * stride_ + f0 * plane), DY + 2 * (oc0 * stride_ + f0 * plane), layout,
                          cross);
      for (std::int64_t a = 0; a < ic_n; ++a)
        for (std::int64_t b = 0; b < oc_n; ++b) {
          const float* pair = cross + 2 * (a * oc_n + b) * plane;
          float* rd = rd_tile + 2 * (a * kTile + b) * K0 * plane;
          for (std::int64_t kd = 0; kd < K0; ++kd)
            kern.axpy(tw0[2 * (kd * n[0] + f0)], tw0[2 * (kd * n[0] + f0) + 1], pair, rd + 2 * kd * plane,
                      plane);
        }
    }
    for (std::int64_t a = 0; a < ic_n; ++a)
      for (std::int64_t b = 0; b < oc_n; ++b) {
        const std::int64_t ic = ic0 + a, oc = oc0 + b;
        const float* rd = rd_tile + 2 * (a * kTile + b) * K0 * plane;
        std::fill(rows_dh_[t].begin(), rows_dh_[t].end(), 0.f);
        for (std::int64_t kd = 0; kd < K0; ++kd)
          for (std::int64_t f1 = 0; f1 < n[1]; ++f1)
            for (std::int64_t kh = 0; kh < K1; ++kh)
              kern.axpy(tw1[2 * (kh * n[1] + f1)], tw1[2 * (kh * n[1] + f1) + 1],
                        rd + 2 * (kd * plane + f1 * half), rdh + 2 * (kd * K1 + kh) * half, half);
        // Along W, the half spectrum stands for its conjugate mirror: bins 1 .. ceil(N2/2)-1
        // count twice, the Nyquist bin of an even N2 once.
        for (std::int64_t kd = 0; kd < K0; ++kd)
          for (std::int64_t kh = 0; kh < K1; ++kh) {
            const float* r = rdh + 2 * (kd * K1 + kh) * half;
            for (std::int64_t kw = 0; kw < K2; ++kw) {
              double v = r[0];
              for (std::int64_t f2 = 1; f2 < half; ++f2) {
                const double weight = (n[2] % 2 == 0 && f2 == n[2] / 2) ? 1.0 : 2.0;
                const float* e = tw2 + 2 * (kw * n[2] + f2);
                v += weight *
                     (static_cast<double>(r[2 * f2]) * e[0] - static_cast<double>(r[2 * f2 + 1]) * e[1]);
              }
              dw[(((oc * IC + ic) * K0 + kd) * K1 + kh) * K2 + kw] += static_cast<float>(v * scale);
            }
          }
      }
  }
  if (s.use_bias) {
    float* db = conv_.bias_grad().data();
    for (std::int64_t oc = 0; oc < OC; ++oc) {
      double sum = 0;  // the DC bin of a spectrum is the sum of its plane
      for (std::int64_t i = 0; i < batch; ++i) sum += DY[2 * ((i * OC + oc) * stride_)];
      db[oc] += static_cast<float>(sum);
    }
  }
}

const Tensor& FftConvPlan::forward(const Tensor& in) {
  const auto& s = conv_.spec();
  transform_weights();
  to_spectra(*fft_in_, in.impl().data(), in_lay_, in_dims_, pf_, planes_x_, spectra_in_.get());
  const spectral::Shape shape{in_dims_.n, in_dims_.c, s.filters, stride_};
  const float* x = spectra_in_.get();
  float* y = spectra_out_.get();
  const float* w = w_hat_.get();
  const spectral::Kernels& kern = kernels_;
  parallel_blocks(threads_, stride_ / 8, 16, [&](std::int64_t b0, std::int64_t b1) {
    kern.product(spectral::Direction::forward, shape, x, w, y, b0, b1);
  });
  Tensor& out = direct_->output();
  const float* bias = s.use_bias ? conv_.bias().data() : nullptr;
  from_spectra(*fft_out_, y, {0, 0, 0}, out_dims_, out_lay_, out.impl().data(), bias, /*activate=*/true);
  return out;
}

const Tensor* FftConvPlan::backward(const Tensor& diff_out, const BackwardOptions& opt) {
  const memory dd_mem = direct_->activation_backward(diff_out);
  const bool weights = conv_.weight_grads();
  if (!weights && !opt.need_diff_in) return nullptr;
  const auto& s = conv_.spec();
  const spectral::Kernels& kern = kernels_;
  const float* dd = static_cast<const float*>(dd_mem.get_data_handle());
  to_spectra(*fft_out_, dd, out_lay_, out_dims_, {0, 0, 0}, planes_dy_, spectra_dy_.get());
  if (weights) weight_gradients(kern);
  if (!opt.need_diff_in) return nullptr;
  report_parameters_final(opt, conv_);
  const spectral::Shape shape{in_dims_.n, in_dims_.c, s.filters, stride_};
  const float* x = spectra_dy_.get();
  float* y = spectra_out_.get();
  const float* w = w_hat_.get();
  parallel_blocks(threads_, stride_ / 8, 16, [&](std::int64_t b0, std::int64_t b1) {
    kern.product(spectral::Direction::adjoint, shape, x, w, y, b0, b1);
  });
  from_spectra(*fft_in_, y, pf_, in_dims_, in_lay_, diff_in_.impl().data(), nullptr, /*activate=*/false);
  return &diff_in_;
}

std::unique_ptr<Plan> make_fft_conv_plan(Conv3D& conv, const Tensor& in, Mode mode) {
  if (conv.spec().upsample != std::array<std::int64_t, 3>{1, 1, 1}) return nullptr;
  if (conv.spec().channel_shift || conv.spec().bf16) return nullptr;  // its epilogue: f32, no shift
  const AlgorithmSwitch choice = conv.context().options().conv.fft;
  if (choice == AlgorithmSwitch::off) return nullptr;
  if (choice == AlgorithmSwitch::automatic && !fft_pays(conv, in.dims())) return nullptr;
  // nn's loops read plain or channel-blocked layouts only, of the input and of the output
  // the direct plan chose.
  const auto channel_blocked = [](const memory::desc& md) {
    const auto l = BlockedLayout::of(md);
    return l && l->channel_blocked_only();
  };
  if (!channel_blocked(desc_of(in))) return nullptr;
  auto direct = std::make_unique<ConvPlan>(conv, in, mode, ConvPlan::Gradients::none);
  if (!channel_blocked(direct->dst_desc())) return nullptr;
  return std::make_unique<FftConvPlan>(conv, in, mode, std::move(direct));
}

bool fft_selected(Conv3D& conv, const Tensor& in, Mode mode) {
  return make_fft_conv_plan(conv, in, mode) != nullptr;
}

}  // namespace calo::nn
