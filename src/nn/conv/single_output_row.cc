#include "nn/conv/single_output_row.hh"

#include <immintrin.h>

#include <algorithm>

namespace calo::nn::single_output {

namespace {

constexpr std::int64_t kLanes = 16;  // channels per vector

float finish(float s, const RowArgs& a) {
  if (a.activate && s < 0) s *= a.alpha;
  return s + a.shift;
}

void row_generic(const RowArgs& a) {
  for (std::int64_t w = 0; w < a.ow; ++w) {
    float acc[kLanes] = {};
    const float* wt = a.weights;
    for (std::int64_t t = 0; t < a.groups * a.kdh; ++t)
      for (std::int64_t k = 0; k < a.kw; ++k, wt += kLanes) {
        const float* x = a.taps[t] + (w + k) * a.w_stride;
        for (std::int64_t j = 0; j < kLanes; ++j) acc[j] += x[j] * wt[j];
      }
    float s = 0;
    for (float v : acc) s += v;
    a.out[w] = finish(s + a.bias, a);
  }
}

// GCC 12's _mm512_unpack*_ps pass an undefined vector to their masked builtins and warn
// about it (-Wmaybe-uninitialized) although no lane of it is used.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
/// The lane sums of 16 vectors: result lane k = sum of v[k]'s lanes (a transpose-add tree,
/// 45 shuffles and adds for 16 outputs instead of a store and 15 scalar adds each).
__attribute__((target("avx512f"))) __m512 lane_sums(const __m512* v) {
  __m512 a[8], b[4], c[2];
  for (int i = 0; i < 8; ++i)  // per 128-bit chunk: [x0+x2, y0+y2, x1+x3, y1+y3]
    a[i] =
        _mm512_add_ps(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
  for (int i = 0; i < 4; ++i)  // per chunk: the chunk's sums of v[4i .. 4i+3]
    b[i] = _mm512_add_ps(_mm512_shuffle_ps(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_ps(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  for (int i = 0; i < 2; ++i)  // chunks (0+1, 2+3) of b[2i], then of b[2i+1]
    c[i] = _mm512_add_ps(_mm512_shuffle_f32x4(b[2 * i], b[2 * i + 1], 0x88),
                         _mm512_shuffle_f32x4(b[2 * i], b[2 * i + 1], 0xDD));
  return _mm512_add_ps(_mm512_shuffle_f32x4(c[0], c[1], 0x88), _mm512_shuffle_f32x4(c[0], c[1], 0xDD));
}
#pragma GCC diagnostic pop

// 16 outputs of a row at a time: one 16-channel accumulator each, then lane_sums, the
// epilogue on the vector of 16 outputs and one (masked) store.
__attribute__((target("avx512f"))) void row_avx512(const RowArgs& a) {
  for (std::int64_t w0 = 0; w0 < a.ow; w0 += kLanes) {
    const int m = static_cast<int>(std::min<std::int64_t>(kLanes, a.ow - w0));
    __m512 acc[kLanes];
    for (auto& v : acc) v = _mm512_setzero_ps();
    const float* wt = a.weights;
    for (std::int64_t t = 0; t < a.groups * a.kdh; ++t)
      for (std::int64_t k = 0; k < a.kw; ++k, wt += kLanes) {
        const __m512 wv = _mm512_loadu_ps(wt);
        const float* x = a.taps[t] + (w0 + k) * a.w_stride;
        for (int j = 0; j < m; ++j) acc[j] = _mm512_fmadd_ps(_mm512_loadu_ps(x + j * a.w_stride), wv, acc[j]);
      }
    __m512 s = _mm512_add_ps(lane_sums(acc), _mm512_set1_ps(a.bias));
    if (a.activate)
      s = _mm512_mask_mul_ps(s, _mm512_cmp_ps_mask(s, _mm512_setzero_ps(), _CMP_LT_OQ), s,
                             _mm512_set1_ps(a.alpha));
    s = _mm512_add_ps(s, _mm512_set1_ps(a.shift));
    _mm512_mask_storeu_ps(a.out + w0, static_cast<__mmask16>((1u << m) - 1u), s);
  }
}

}  // namespace

void pack_weights(std::span<const float> weight, std::int64_t channels, std::int64_t taps,
                  std::vector<float>& packed) {
  packed.resize(static_cast<std::size_t>(channels * taps));
  for (std::int64_t g = 0; g < channels / kLanes; ++g)
    for (std::int64_t k = 0; k < taps; ++k)
      for (std::int64_t j = 0; j < kLanes; ++j)
        packed[static_cast<std::size_t>((g * taps + k) * kLanes + j)] =
            weight[static_cast<std::size_t>((g * kLanes + j) * taps + k)];
}

void row(const RowArgs& a) {
  static const bool avx512 = __builtin_cpu_supports("avx512f") != 0;
  if (avx512)
    row_avx512(a);
  else
    row_generic(a);
}

}  // namespace calo::nn::single_output
