// Kernel pass (the file includes itself, see below): everything in namespace CALO_BN_ISA.
#ifdef CALO_BN_ISA
namespace calo::nn::bn {
namespace {
namespace CALO_BN_ISA {

/// Work unit of every kernel: a run of spatial positions of one (n, channel block); about
/// kChunkFloats floats of each input. Fixed by the layout alone (not the thread count).
constexpr std::int64_t kChunkFloats = 8192;
/// Independent accumulators of the plain (block 1) path: spatial position s goes to lane
/// s % kLanes, the lanes are added in order at the end (vectorisable, deterministic).
constexpr int kLanes = 32;
/// Blocked path: positions s0 + t, s0 + t + kSets, ... go to accumulator set t (independent
/// dependency chains), the sets added in order at the end.
constexpr int kSets = 4;

struct Chunks {
  explicit Chunks(const Layout& l)
      : blocks((l.channels + l.block - 1) / l.block),
        per(std::max<std::int64_t>(1, kChunkFloats / l.block)),
        pieces((l.spatial + per - 1) / per),
        count(l.n * blocks * pieces) {}
  std::int64_t blocks, per, pieces, count;
};

/// Chunk i of l: the offset of its first element's run, its spatial range and channels.
struct Chunk {
  Chunk(const Layout& l, const Chunks& ch, std::int64_t i) {
    const std::int64_t piece = i % ch.pieces, cb = i / ch.pieces % ch.blocks, n = i / ch.pieces / ch.blocks;
    base = n * l.stride_n + cb * l.stride_cb;
    s0 = piece * ch.per;
    s1 = std::min(l.spatial, s0 + ch.per);
    c0 = cb * l.block;
    width = std::min(l.block, l.channels - c0);
  }
  std::int64_t base, s0, s1, c0, width;
};

/// Per-channel arrays padded to whole blocks (0 beyond the channels), so that a blocked
/// run can be processed at its full, compile-time width.
std::vector<double> padded(const Layout& l, const double* v) {
  const Chunks ch(l);
  std::vector<double> out(static_cast<std::size_t>(ch.blocks * l.block), 0.0);
  std::copy(v, v + l.channels, out.begin());
  return out;
}

/// out[k][c] = sum over (n, s) of the F::K terms f adds, in double. Per chunk partials,
/// combined in chunk order: deterministic for any thread count.
///   plain (block 1): f.add(acc, lane, offset, c) adds the element at offset (channel c) to
///     acc[k * kLanes + lane];
///   blocked: f.template run<W>(acc, offset, c0, w) adds the channels c0 .. c0 + W of the
///     run at offset to acc[k * W + r] (W = 0: the runtime width w). Padding lanes (beyond
///     the channels) may hold anything; they are dropped.
template <class F>
void reduce(const Layout& l, const F& f, double* const (&out)[F::K]) {
  constexpr int K = F::K;
  const Chunks ch(l);
  const std::int64_t B = l.block, stride = std::max<std::int64_t>(B, kLanes);
  std::vector<double> part(static_cast<std::size_t>(ch.count * K * stride), 0.0);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < ch.count; ++i) {
    const Chunk c(l, ch, i);
    double* acc = part.data() + i * K * stride;
    if (B == 1) {
      double lanes[K * kLanes] = {};
      std::int64_t s = c.s0;
      for (; s + kLanes <= c.s1; s += kLanes)
        for (int j = 0; j < kLanes; ++j) f.add(lanes, j, c.base + s + j, c.c0);
      for (int j = 0; s < c.s1; ++s, ++j) f.add(lanes, j, c.base + s, c.c0);
      for (int k = 0; k < K; ++k)
        for (int j = 0; j < kLanes; ++j) acc[k * stride] += lanes[k * kLanes + j];
    } else if (B == 16 || B == 8) {
      auto fixed = [&]<int W>() {
        double a[kSets][K * W] = {};
        std::int64_t s = c.s0;
        for (; s + kSets <= c.s1; s += kSets)
          for (int t = 0; t < kSets; ++t) f.template run<W>(a[t], c.base + (s + t) * l.stride_s, c.c0, W);
        for (int t = 0; s < c.s1; ++s, ++t) f.template run<W>(a[t], c.base + s * l.stride_s, c.c0, W);
        for (int k = 0; k < K; ++k)
          for (int r = 0; r < W; ++r) {
            double v = a[0][k * W + r];
            for (int t = 1; t < kSets; ++t) v += a[t][k * W + r];
            acc[k * stride + r] = v;
          }
      };
      if (B == 16)
        fixed.template operator()<16>();
      else
        fixed.template operator()<8>();
    } else {
      std::vector<double> a(static_cast<std::size_t>(K * B), 0.0);
      for (std::int64_t s = c.s0; s < c.s1; ++s)
        f.template run<0>(a.data(), c.base + s * l.stride_s, c.c0, B);
      for (int k = 0; k < K; ++k)
        for (std::int64_t r = 0; r < B; ++r) acc[k * stride + r] = a[k * B + r];
    }
  }
  for (int k = 0; k < K; ++k) std::fill(out[k], out[k] + l.channels, 0.0);
  for (std::int64_t i = 0; i < ch.count; ++i) {
    const Chunk c(l, ch, i);
    const double* acc = part.data() + i * K * stride;
    for (int k = 0; k < K; ++k)
      for (std::int64_t r = 0; r < c.width; ++r) out[k][c.c0 + r] += acc[k * stride + r];
  }
}

/// Runs f on every element, chunk by chunk in parallel: f.plain(offset, len, c) on a
/// channel's contiguous positions (block 1), f.template run<W>(offset, c0, w) on a run of
/// channels: W = 8 or 16 (a blocked layout) writes 0 into the padding lanes r >= w; W = 0
/// (channels last) runs over the w channels only.
template <class F>
void for_each(const Layout& l, const F& f) {
  const Chunks ch(l);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < ch.count; ++i) {
    const Chunk c(l, ch, i);
    if (l.block == 1) {
      f.plain(c.base + c.s0, c.s1 - c.s0, c.c0);
    } else if (l.block == 16) {
      for (std::int64_t s = c.s0; s < c.s1; ++s) f.template run<16>(c.base + s * l.stride_s, c.c0, c.width);
    } else if (l.block == 8) {
      for (std::int64_t s = c.s0; s < c.s1; ++s) f.template run<8>(c.base + s * l.stride_s, c.c0, c.width);
    } else {
      for (std::int64_t s = c.s0; s < c.s1; ++s) f.template run<0>(c.base + s * l.stride_s, c.c0, c.width);
    }
  }
}

// The functors: x, dy, dx pointers to the layout's buffers; per-channel arrays padded.

/// sum (x - shift) and sum (x - shift)^2 (shift: a value of the channel, so that the
/// one-pass variance loses nothing in double).
struct Moments {
  static constexpr int K = 2;
  const float* __restrict x;
  const double* __restrict shift;
  void add(double* acc, int lane, std::int64_t off, std::int64_t c) const {
    const double d = x[off] - shift[c];
    acc[lane] += d;
    acc[kLanes + lane] += d * d;
  }
  template <int W>
  void run(double* __restrict acc, std::int64_t off, std::int64_t c0, std::int64_t w) const {
    const float* __restrict p = x + off;
    const double* __restrict m = shift + c0;
    const std::int64_t n = W ? W : w;
#pragma omp simd
    for (std::int64_t r = 0; r < n; ++r) {
      const double d = p[r] - m[r];
      acc[r] += d;
      acc[n + r] += d * d;
    }
  }
};

/// sum dy and sum dy (x - mean).
struct SumDy {
  static constexpr int K = 2;
  const float* __restrict x, * __restrict dy;
  const double* __restrict mean;
  void add(double* acc, int lane, std::int64_t off, std::int64_t c) const {
    const double g = dy[off];
    acc[lane] += g;
    acc[kLanes + lane] += g * (x[off] - mean[c]);
  }
  template <int W>
  void run(double* __restrict acc, std::int64_t off, std::int64_t c0, std::int64_t w) const {
    const float* __restrict p = x + off, * __restrict q = dy + off;
    const double* __restrict m = mean + c0;
    const std::int64_t n = W ? W : w;
#pragma omp simd
    for (std::int64_t r = 0; r < n; ++r) {
      const double g = q[r];
      acc[r] += g;
      acc[n + r] += g * (p[r] - m[r]);
    }
  }
};

/// y = (x - shift) * scale + offset per element, in double (normalize: shift the mean,
/// scale gamma / sigma, offset beta).
struct Affine {
  const float* __restrict x;
  float* __restrict y;
  const double* __restrict shift, * __restrict scale, * __restrict offset;
  void plain(std::int64_t off, std::int64_t len, std::int64_t c) const {
    const double m = shift[c], a = scale[c], b = offset[c];
    const float* __restrict p = x + off;
    float* __restrict q = y + off;
    for (std::int64_t i = 0; i < len; ++i) q[i] = static_cast<float>((p[i] - m) * a + b);
  }
  template <int W>
  void run(std::int64_t off, std::int64_t c0, std::int64_t w) const {
    const float* __restrict p = x + off;
    float* __restrict q = y + off;
    const double* __restrict m = shift + c0, * __restrict a = scale + c0, * __restrict b = offset + c0;
#pragma omp simd
    for (std::int64_t r = 0; r < (W ? W : w); ++r) q[r] = static_cast<float>((p[r] - m[r]) * a[r] + b[r]);
    for (std::int64_t r = w; r < W; ++r) q[r] = 0.f;  // padding
  }
};

/// dx = k1 (dy - k2 - (x - mean) k3) per element, in double.
struct DiffX {
  const float* __restrict x, * __restrict dy;
  float* __restrict dx;
  const double* __restrict mean, * __restrict k1, * __restrict k2, * __restrict k3;
  void plain(std::int64_t off, std::int64_t len, std::int64_t c) const {
    const double m = mean[c], a = k1[c], b = k2[c], e = k3[c];
    const float* __restrict p = x + off, * __restrict g = dy + off;
    float* __restrict q = dx + off;
    for (std::int64_t i = 0; i < len; ++i) q[i] = static_cast<float>(a * (g[i] - b - (p[i] - m) * e));
  }
  template <int W>
  void run(std::int64_t off, std::int64_t c0, std::int64_t w) const {
    const float* __restrict p = x + off, * __restrict g = dy + off;
    float* __restrict q = dx + off;
    const double* __restrict m = mean + c0, * __restrict a = k1 + c0, * __restrict b = k2 + c0, * __restrict e = k3 + c0;
#pragma omp simd
    for (std::int64_t r = 0; r < (W ? W : w); ++r)
      q[r] = static_cast<float>(a[r] * (g[r] - b[r] - (p[r] - m[r]) * e[r]));
    for (std::int64_t r = w; r < W; ++r) q[r] = 0.f;  // padding
  }
};

double count(const Layout& l) { return static_cast<double>(l.n) * static_cast<double>(l.spatial); }

void batch_statistics(const Layout& l, const float* x, double* mean, double* variance) {
  // One pass, shifted by the channel's first value (n = 0, s = 0): with double sums the
  // cancellation of var = E[(x - K)^2] - E[x - K]^2 costs ~1e-16 (mean - K)^2 / var.
  const double m = count(l);
  std::vector<double> shift(static_cast<std::size_t>(Chunks(l).blocks * l.block), 0.0);
  for (std::int64_t c = 0; c < l.channels; ++c) shift[c] = x[c / l.block * l.stride_cb + c % l.block];
  reduce(l, Moments{x, shift.data()}, {mean, variance});
  for (std::int64_t c = 0; c < l.channels; ++c) {
    const double d = mean[c] / m;
    mean[c] = shift[c] + d;
    variance[c] = std::max(0.0, variance[c] / m - d * d);
  }
}

void normalize(const Layout& l, const float* x, const double* mean, const double* variance, double eps,
               const float* gamma, const float* beta, float* y) {
  std::vector<double> mp = padded(l, mean), scale(mp.size()), offset(mp.size());
  for (std::int64_t c = 0; c < l.channels; ++c) {
    scale[c] = gamma[c] / std::sqrt(variance[c] + eps);
    offset[c] = beta[c];
  }
  for_each(l, Affine{x, y, mp.data(), scale.data(), offset.data()});
}

void backward(const Layout& l, const float* x, const float* dy, const double* mean, const double* variance,
              double eps, const float* gamma, double* sum_dy, double* sum_dy_xhat, float* diff_x) {
  const double m = count(l);
  const std::vector<double> mp = padded(l, mean);
  reduce(l, SumDy{x, dy, mp.data()}, {sum_dy, sum_dy_xhat});  // the second: sum dy (x - mean)
  std::vector<double> k1(mp.size()), k2(mp.size()), k3(mp.size());
  for (std::int64_t c = 0; c < l.channels; ++c) {
    const double inv = 1 / std::sqrt(variance[c] + eps);
    sum_dy_xhat[c] *= inv;
    k1[c] = gamma[c] * inv;
    k2[c] = sum_dy[c] / m;
    k3[c] = sum_dy_xhat[c] * inv / m;
  }
  if (diff_x) for_each(l, DiffX{x, dy, diff_x, mp.data(), k1.data(), k2.data(), k3.data()});
}

}  // namespace CALO_BN_ISA
}  // namespace
}  // namespace calo::nn::bn

#else  // the first pass: includes, the kernels per instruction set, dispatch

#include "nn/batch_norm_backward.hh"

#include <algorithm>
#include <cmath>
#include <vector>

// The kernels are compiled three times (this file includes itself): for AVX-512, for
// AVX2 + FMA and for the baseline x86-64 of the build, and the entry points pick one by the
// CPU. In double, the element-wise work is compute-bound at the baseline's two lanes
// (2-3x slower than oneDNN's float32 AVX-512 kernels); at AVX-512's eight it runs as fast.
// The order of every sum is fixed by the layout (chunks, lanes, fixed-width runs), never
// by the vector width, but FMA contraction may round differently: the results are
// deterministic on a given CPU.
#define CALO_BN_ISA avx512
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")
#include "batch_norm_backward.cc"  // NOLINT(bugprone-suspicious-include)
#pragma GCC pop_options
#undef CALO_BN_ISA

#define CALO_BN_ISA avx2
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#include "batch_norm_backward.cc"  // NOLINT(bugprone-suspicious-include)
#pragma GCC pop_options
#undef CALO_BN_ISA

#define CALO_BN_ISA baseline
#include "batch_norm_backward.cc"  // NOLINT(bugprone-suspicious-include)
#undef CALO_BN_ISA

namespace calo::nn::bn {
namespace {

enum class Isa { baseline, avx2, avx512 };

Isa isa() {
  static const Isa i = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw"))
      return Isa::avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
    return Isa::baseline;
  }();
  return i;
}

}  // namespace

#define CALO_BN_DISPATCH(call) \
  switch (isa()) {             \
    case Isa::avx512:          \
      return avx512::call;     \
    case Isa::avx2:            \
      return avx2::call;       \
    default:                   \
      return baseline::call;   \
  }

void batch_statistics(const Layout& l, const float* x, double* mean, double* variance) {
  CALO_BN_DISPATCH(batch_statistics(l, x, mean, variance))
}

void normalize(const Layout& l, const float* x, const double* mean, const double* variance, double eps,
               const float* gamma, const float* beta, float* y) {
  CALO_BN_DISPATCH(normalize(l, x, mean, variance, eps, gamma, beta, y))
}

void backward(const Layout& l, const float* x, const float* dy, const double* mean, const double* variance,
              double eps, const float* gamma, double* sum_dy, double* sum_dy_xhat, float* diff_x) {
  CALO_BN_DISPATCH(backward(l, x, dy, mean, variance, eps, gamma, sum_dy, sum_dy_xhat, diff_x))
}

#undef CALO_BN_DISPATCH

}  // namespace calo::nn::bn

#endif
