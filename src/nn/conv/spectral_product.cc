#include "nn/conv/spectral_product.hh"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
// GCC 12 reports its own _mm512_undefined_ps() (inside _mm512_moveldup_ps and friends) as
// "may be used uninitialized": a known false positive of the intrinsics headers.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace calo::nn::spectral {
namespace {

/// The channel strides of w (in bin blocks of 16 floats) for the summed and the output index.
struct WeightStrides {
  std::int64_t sum, out;
};

/// The product's loop bounds: A summed and B output channels, weight strides, floats per
/// spectrum (S2) and per bin block of w.
struct Geometry {
  bool conj;
  std::int64_t A, B;
  WeightStrides ws;
  std::int64_t S2, wblock;
};

Geometry geometry(Direction dir, const Shape& s) {
  const bool fwd = dir == Direction::forward;
  // w[fb][ic][oc][8]: ic strides OC blocks, oc strides 1.
  return {fwd,
          fwd ? s.in_channels : s.out_channels,
          fwd ? s.out_channels : s.in_channels,
          fwd ? WeightStrides{s.out_channels, 1} : WeightStrides{1, s.out_channels},
          2 * s.stride,
          s.in_channels * s.out_channels * 16};
}

void product_generic(Direction dir, const Shape& s, const float* in, const float* w, float* out,
                     std::int64_t b0, std::int64_t b1) {
  const auto [conj, A, B, ws, S2, wblock] = geometry(dir, s);
  for (std::int64_t fb = b0; fb < b1; ++fb)
    for (std::int64_t n = 0; n < s.batch; ++n)
      for (std::int64_t b = 0; b < B; ++b) {
        float re[8] = {}, im[8] = {};
        for (std::int64_t a = 0; a < A; ++a) {
          const float* x = in + (n * A + a) * S2 + fb * 16;
          const float* wp = w + fb * wblock + (a * ws.sum + b * ws.out) * 16;
          for (int l = 0; l < 8; ++l) {
            const float xr = x[2 * l], xi = x[2 * l + 1];
            const float wr = wp[2 * l], wi = conj ? -wp[2 * l + 1] : wp[2 * l + 1];
            re[l] += xr * wr - xi * wi;
            im[l] += xi * wr + xr * wi;
          }
        }
        float* y = out + (n * B + b) * S2 + fb * 16;
        for (int l = 0; l < 8; ++l) {
          y[2 * l] = re[l];
          y[2 * l + 1] = im[l];
        }
      }
}

/// One pair's cross-spectrum, bins [f0, f1).
void cross_pair_generic(const float* x, std::int64_t xs, const float* y, std::int64_t ys, std::int64_t batch,
                        std::int64_t f0, std::int64_t f1, float* g) {
  for (std::int64_t f = f0; f < f1; ++f) {
    float re = 0, im = 0;
    for (std::int64_t n = 0; n < batch; ++n) {
      const float* a = x + 2 * (n * xs + f);
      const float* b = y + 2 * (n * ys + f);
      re += a[0] * b[0] + a[1] * b[1];
      im += a[1] * b[0] - a[0] * b[1];
    }
    g[2 * f] = re;
    g[2 * f + 1] = im;
  }
}

void cross_spectrum_generic(const float* x, const float* y, const CrossTile& t, float* g) {
  for (std::int64_t a = 0; a < t.x_channels; ++a)
    for (std::int64_t b = 0; b < t.y_channels; ++b)
      cross_pair_generic(x + 2 * a * t.x_channel, t.x_step, y + 2 * b * t.y_channel, t.y_step, t.batch, 0,
                         t.count, g + 2 * (a * t.y_channels + b) * t.g_pair);
}

void axpy_generic(float ar, float ai, const float* x, float* y, std::int64_t count) {
  for (std::int64_t f = 0; f < count; ++f) {
    const float xr = x[2 * f], xi = x[2 * f + 1];
    y[2 * f] += ar * xr - ai * xi;
    y[2 * f + 1] += ar * xi + ai * xr;
  }
}

#if defined(__x86_64__)

// Per (sample, summed channel): x and x with re/im swapped; per output channel two
// accumulators, acc1 += x * (wr, wr) and acc2 += swap(x) * (wi, wi), combined at the end:
// w * x = (acc1.re - acc2.re, acc1.im + acc2.im), conj(w) * x = (acc1.re + acc2.re, acc1.im - acc2.im).
template <int NB>
__attribute__((target("avx512f"))) inline void block_avx512(bool conj, std::int64_t A, std::int64_t S2,
                                                            const float* x0, const float* w0,
                                                            std::int64_t w_sum16, std::int64_t w_out16,
                                                            float* y0) {
  __m512 acc1[NB], acc2[NB];
  for (int j = 0; j < NB; ++j) acc1[j] = acc2[j] = _mm512_setzero_ps();
  for (std::int64_t a = 0; a < A; ++a) {
    const __m512 x = _mm512_loadu_ps(x0 + a * S2);
    const __m512 xs = _mm512_permute_ps(x, 0xB1);
    const float* wa = w0 + a * w_sum16;
    for (int j = 0; j < NB; ++j) {
      const __m512 wv = _mm512_loadu_ps(wa + j * w_out16);
      acc1[j] = _mm512_fmadd_ps(x, _mm512_moveldup_ps(wv), acc1[j]);
      acc2[j] = _mm512_fmadd_ps(xs, _mm512_movehdup_ps(wv), acc2[j]);
    }
  }
  const __m512 one = _mm512_set1_ps(1.f);
  for (int j = 0; j < NB; ++j) {
    const __m512 y =
        conj ? _mm512_fmsubadd_ps(acc1[j], one, acc2[j]) : _mm512_fmaddsub_ps(acc1[j], one, acc2[j]);
    _mm512_storeu_ps(y0 + j * S2, y);
  }
}

__attribute__((target("avx512f"))) void product_avx512(Direction dir, const Shape& s, const float* in,
                                                       const float* w, float* out, std::int64_t b0,
                                                       std::int64_t b1) {
  const auto [conj, A, B, ws, S2, wblock] = geometry(dir, s);
  for (std::int64_t fb = b0; fb < b1; ++fb)
    for (std::int64_t n = 0; n < s.batch; ++n) {
      const float* x0 = in + n * A * S2 + fb * 16;
      float* yb = out + n * B * S2 + fb * 16;
      // The next bin block of this sample's A spectra: one line in each of A streams a
      // spectrum apart, which the hardware prefetchers do not follow (measured: 40 % of
      // this kernel waited on these loads).
      if (fb + 1 < b1)
        for (std::int64_t a = 0; a < A; ++a)
          _mm_prefetch(reinterpret_cast<const char*>(x0 + a * S2 + 16), _MM_HINT_T0);
      for (std::int64_t b = 0; b < B; b += 8) {
        const float* w0 = w + fb * wblock + b * ws.out * 16;
        float* y0 = yb + b * S2;
        const std::int64_t ws16 = ws.sum * 16, wo16 = ws.out * 16;
        switch (std::min<std::int64_t>(8, B - b)) {
          case 8:
            block_avx512<8>(conj, A, S2, x0, w0, ws16, wo16, y0);
            break;
          case 7:
            block_avx512<7>(conj, A, S2, x0, w0, ws16, wo16, y0);
            break;
          case 6:
            block_avx512<6>(conj, A, S2, x0, w0, ws16, wo16, y0);
            break;
          case 5:
            block_avx512<5>(conj, A, S2, x0, w0, ws16, wo16, y0);
            break;
          case 4:
            block_avx512<4>(conj, A, S2, x0, w0, ws16, wo16, y0);
            break;
          case 3:
            block_avx512<3>(conj, A, S2, x0, w0, ws16, wo16, y0);
            break;
          case 2:
            block_avx512<2>(conj, A, S2, x0, w0, ws16, wo16, y0);
            break;
          default:
            block_avx512<1>(conj, A, S2, x0, w0, ws16, wo16, y0);
            break;
        }
      }
    }
}

// 8 bins per vector: acc1 += x * (yr, yr), acc2 += swap(x) * (yi, yi); x conj(y) =
// (acc1.re + acc2.re, acc1.im - acc2.im). NA x channels against NB y channels: per sample
// NA + NB loads, NA + 2 NB shuffles and 2 NA NB multiply-adds (NA = 4, NB = 2: 28 of the 32
// vector registers).
template <int NA, int NB>
__attribute__((target("avx512f"))) inline void cross_tile_avx512(const float* x, const float* y,
                                                                 const CrossTile& t, std::int64_t count,
                                                                 float* g, std::int64_t g_row) {
  const __m512 one = _mm512_set1_ps(1.f);
  for (std::int64_t f = 0; f + 8 <= count; f += 8) {
    __m512 acc1[NA][NB], acc2[NA][NB];
    for (int a = 0; a < NA; ++a)
      for (int b = 0; b < NB; ++b) acc1[a][b] = acc2[a][b] = _mm512_setzero_ps();
    for (std::int64_t n = 0; n < t.batch; ++n) {
      __m512 xv[NA], xs[NA], yr[NB], yi[NB];
      for (int a = 0; a < NA; ++a) {
        const float* p = x + 2 * (a * t.x_channel + n * t.x_step + f);
        // NA + NB short streams (one D plane each): prefetch 4 lines ahead in each, the
        // hardware prefetchers ramp up too late for them (measured: the loads stalled).
        _mm_prefetch(reinterpret_cast<const char*>(p + 64), _MM_HINT_T0);
        xv[a] = _mm512_loadu_ps(p);
        xs[a] = _mm512_permute_ps(xv[a], 0xB1);
      }
      for (int b = 0; b < NB; ++b) {
        const float* p = y + 2 * (b * t.y_channel + n * t.y_step + f);
        _mm_prefetch(reinterpret_cast<const char*>(p + 64), _MM_HINT_T0);
        const __m512 v = _mm512_loadu_ps(p);
        yr[b] = _mm512_moveldup_ps(v);
        yi[b] = _mm512_movehdup_ps(v);
      }
      for (int a = 0; a < NA; ++a)
        for (int b = 0; b < NB; ++b) {
          acc1[a][b] = _mm512_fmadd_ps(xv[a], yr[b], acc1[a][b]);
          acc2[a][b] = _mm512_fmadd_ps(xs[a], yi[b], acc2[a][b]);
        }
    }
    for (int a = 0; a < NA; ++a)
      for (int b = 0; b < NB; ++b)
        _mm512_storeu_ps(g + 2 * ((a * g_row + b) * t.g_pair + f),
                         _mm512_fmsubadd_ps(acc1[a][b], one, acc2[a][b]));
  }
}

template <int NA>
__attribute__((target("avx512f"))) inline void cross_rows_avx512(const float* x, const float* y,
                                                                 const CrossTile& t, std::int64_t nb,
                                                                 std::int64_t count, float* g) {
  if (nb == 2)
    cross_tile_avx512<NA, 2>(x, y, t, count, g, t.y_channels);
  else
    cross_tile_avx512<NA, 1>(x, y, t, count, g, t.y_channels);
}

__attribute__((target("avx512f"))) void cross_spectrum_avx512(const float* x, const float* y,
                                                              const CrossTile& t, float* g) {
  const std::int64_t vec = t.count / 8 * 8;  // the tail (count % 8) runs the generic loop
  for (std::int64_t a = 0; a < t.x_channels; a += 4)
    for (std::int64_t b = 0; b < t.y_channels; b += 2) {
      const std::int64_t nb = std::min<std::int64_t>(2, t.y_channels - b);
      const float* xa = x + 2 * a * t.x_channel;
      const float* yb = y + 2 * b * t.y_channel;
      float* gab = g + 2 * (a * t.y_channels + b) * t.g_pair;
      switch (std::min<std::int64_t>(4, t.x_channels - a)) {
        case 4:
          cross_rows_avx512<4>(xa, yb, t, nb, vec, gab);
          break;
        case 3:
          cross_rows_avx512<3>(xa, yb, t, nb, vec, gab);
          break;
        case 2:
          cross_rows_avx512<2>(xa, yb, t, nb, vec, gab);
          break;
        default:
          cross_rows_avx512<1>(xa, yb, t, nb, vec, gab);
          break;
      }
    }
  if (vec < t.count)
    for (std::int64_t a = 0; a < t.x_channels; ++a)
      for (std::int64_t b = 0; b < t.y_channels; ++b)
        cross_pair_generic(x + 2 * a * t.x_channel, t.x_step, y + 2 * b * t.y_channel, t.y_step, t.batch, vec,
                           t.count, g + 2 * (a * t.y_channels + b) * t.g_pair);
}

// y += a x: a x = x * (ar, ar) + swap(x) * (-ai, ai).
__attribute__((target("avx512f"))) void axpy_avx512(float ar, float ai, const float* x, float* y,
                                                    std::int64_t count) {
  const __m512 re = _mm512_set1_ps(ar);
  const __m512 im = _mm512_set_ps(ai, -ai, ai, -ai, ai, -ai, ai, -ai, ai, -ai, ai, -ai, ai, -ai, ai, -ai);
  std::int64_t f = 0;
  for (; f + 8 <= count; f += 8) {
    const __m512 v = _mm512_loadu_ps(x + 2 * f);
    __m512 acc = _mm512_fmadd_ps(v, re, _mm512_loadu_ps(y + 2 * f));
    acc = _mm512_fmadd_ps(_mm512_permute_ps(v, 0xB1), im, acc);
    _mm512_storeu_ps(y + 2 * f, acc);
  }
  if (f < count) axpy_generic(ar, ai, x + 2 * f, y + 2 * f, count - f);
}

#endif

constexpr Kernels kGeneric{product_generic, cross_spectrum_generic, axpy_generic, "generic"};
#if defined(__x86_64__)
constexpr Kernels kAvx512{product_avx512, cross_spectrum_avx512, axpy_avx512, "avx512"};
#endif

}  // namespace

const Kernels& kernels(FftIsa isa) {
#if defined(__x86_64__)
  static const bool cpu = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  if (cpu && isa == FftIsa::automatic) return kAvx512;
#else
  (void)isa;
#endif
  return kGeneric;
}

}  // namespace calo::nn::spectral
