#include "nn/conv/phase_conv_kernel.hh"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

// GCC 12's AVX-512 conversions and min/max pass an undefined vector to their masked builtins
// and warn about it although no lane of it is used (as the unpacks in single_output_row.cc).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace calo::nn::phase_kernel {

namespace {

constexpr int kLanes = 16;  // output channels per block (one AVX-512 vector)

// GCC keeps the accumulator array in registers only when every loop over it is unrolled.
#define CALO_UNROLL _Pragma("GCC unroll 32")

__attribute__((target("avx512f"))) inline void finish(const Block& b, const __m512* acc, int rows,
                                                      int columns) {
  const __m512 bias = b.bias ? _mm512_loadu_ps(b.bias) : _mm512_setzero_ps();
  const __m512 shift = b.shift ? _mm512_loadu_ps(b.shift) : _mm512_setzero_ps();
  const __m512 alpha = _mm512_set1_ps(b.alpha);
  for (int j = 0; j < rows; ++j)
    for (int c = 0; c < columns; ++c) {
      __m512 v = _mm512_add_ps(acc[j * columns + c], bias);
      if (b.activate)
        v = _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ), v, alpha);
      // Streaming stores: a whole cache line each, never read back by this layer, so the
      // line need not be fetched first (measured: conv3 of 3dgan-16 20 % faster at batch 1-128).
      float* out = b.out_rows[j] + c * b.out_column_stride;
      if (b.stream)
        _mm512_stream_ps(out, _mm512_add_ps(v, shift));
      else
        _mm512_storeu_ps(out, _mm512_add_ps(v, shift));
    }
  if (b.stream) _mm_sfence();  // order them before the threads' barrier hands the output on
}

template <int IC, int NC, int R>
__attribute__((target("avx512f"))) void block_f32(const Block& b) {
  __m512 acc[R * NC];
  CALO_UNROLL for (int k = 0; k < R * NC; ++k) acc[k] = _mm512_setzero_ps();
  const float* w = static_cast<const float*>(b.weights);
  for (std::int64_t t = 0; t < b.taps; ++t) {
    const float* x[R];
    CALO_UNROLL for (int j = 0; j < R; ++j) x[j] = static_cast<const float*>(b.rows[j]) + b.tap_offsets[t];
    for (std::int64_t ic = 0; ic < b.run; ++ic, w += kLanes) {
      const __m512 wv = _mm512_load_ps(w);
      CALO_UNROLL for (int j = 0; j < R; ++j) CALO_UNROLL for (int c = 0; c < NC; ++c) acc[j * NC + c] =
          _mm512_fmadd_ps(_mm512_set1_ps(x[j][c * IC + ic]), wv, acc[j * NC + c]);
    }
  }
  finish(b, acc, R, NC);
}

template <int IC, int NC, int R>
__attribute__((target("avx512f,avx512bf16"))) void block_bf16(const Block& b) {
  __m512 acc[R * NC];
  CALO_UNROLL for (int k = 0; k < R * NC; ++k) acc[k] = _mm512_setzero_ps();
  const __m512i* w = static_cast<const __m512i*>(b.weights);
  for (std::int64_t t = 0; t < b.taps; ++t) {
    const std::int32_t* x[R];
    CALO_UNROLL for (int j = 0; j < R; ++j) x[j] =
        static_cast<const std::int32_t*>(b.rows[j]) + b.tap_offsets[t];
    for (std::int64_t p = 0; p < b.run; ++p, ++w) {
      const __m512bh wv = reinterpret_cast<__m512bh>(_mm512_load_si512(w));
      CALO_UNROLL for (int j = 0; j < R; ++j) CALO_UNROLL for (int c = 0; c < NC; ++c) acc[j * NC + c] =
          _mm512_dpbf16_ps(acc[j * NC + c],
                           reinterpret_cast<__m512bh>(_mm512_set1_epi32(x[j][c * (IC / 2) + p])), wv);
    }
  }
  finish(b, acc, R, NC);
}

template <int IC, int NC, int R>
__attribute__((target("avx512f,avx512vnni"))) void block_int8(const Block& b) {
  __m512i acc[R * NC];
  CALO_UNROLL for (int k = 0; k < R * NC; ++k) acc[k] = _mm512_setzero_si512();
  const __m512i* w = static_cast<const __m512i*>(b.weights);
  for (std::int64_t t = 0; t < b.taps; ++t) {
    const std::int32_t* x[R];
    CALO_UNROLL for (int j = 0; j < R; ++j) x[j] =
        static_cast<const std::int32_t*>(b.rows[j]) + b.tap_offsets[t];
    for (std::int64_t p = 0; p < b.run; ++p, ++w) {
      const __m512i wv = _mm512_load_si512(w);
      CALO_UNROLL for (int j = 0; j < R; ++j) CALO_UNROLL for (int c = 0; c < NC; ++c) acc[j * NC + c] =
          _mm512_dpbusd_epi32(acc[j * NC + c], _mm512_set1_epi32(x[j][c * (IC / 4) + p]), wv);
    }
  }
  // Exact integers until here: minus the zero point's share, then to float and scaled.
  const __m512i compensation = _mm512_loadu_si512(b.compensation);
  const __m512 scale = _mm512_loadu_ps(b.scale);
  __m512 out[R * NC];
  CALO_UNROLL for (int k = 0; k < R * NC; ++k) out[k] =
      _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc[k], compensation)), scale);
  finish(b, out, R, NC);
}

#undef CALO_UNROLL

constexpr int rows_for(int nc) { return std::max(1, std::min(8, kMaxAccumulators / nc)); }

// table[arithmetic][ic index][nc - 1][0: one row, 1: rows_for(nc) rows]
using Table = std::array<std::array<std::array<std::array<BlockFn, 2>, kMaxColumns>, 3>, 3>;

template <int IC, std::size_t... I>
constexpr void fill_ic(Table& t, int ic_index, std::index_sequence<I...>) {
  ((t[0][ic_index][I] = {&block_f32<IC, int(I) + 1, 1>, &block_f32<IC, int(I) + 1, rows_for(int(I) + 1)>}),
   ...);
  ((t[1][ic_index][I] = {&block_bf16<IC, int(I) + 1, 1>, &block_bf16<IC, int(I) + 1, rows_for(int(I) + 1)>}),
   ...);
  ((t[2][ic_index][I] = {&block_int8<IC, int(I) + 1, 1>, &block_int8<IC, int(I) + 1, rows_for(int(I) + 1)>}),
   ...);
}

Table make_table() {
  Table t{};
  fill_ic<16>(t, 0, std::make_index_sequence<kMaxColumns>{});
  fill_ic<32>(t, 1, std::make_index_sequence<kMaxColumns>{});
  fill_ic<64>(t, 2, std::make_index_sequence<kMaxColumns>{});
  return t;
}

const Table kTable = make_table();

}  // namespace

int max_rows(int nc) { return rows_for(nc); }

BlockFn find(Arithmetic a, int ic, int nc, int rows) {
  const int ic_index = ic == 16 ? 0 : ic == 32 ? 1 : ic == 64 ? 2 : -1;
  if (ic_index < 0 || nc < 1 || nc > kMaxColumns) return nullptr;
  const int which = rows == 1 ? 0 : rows == rows_for(nc) ? 1 : -1;
  if (which < 0) return nullptr;
  return kTable[static_cast<std::size_t>(a)][ic_index][nc - 1][which];
}

bool supported(Arithmetic a) {
  if (!__builtin_cpu_supports("avx512f")) return false;
  if (a == Arithmetic::bf16) return __builtin_cpu_supports("avx512bf16");
  if (a == Arithmetic::int8) return __builtin_cpu_supports("avx512vnni");
  return true;
}

__attribute__((target("avx512f,avx512bf16"))) void to_bf16(const float* src, std::uint16_t* dst,
                                                           std::int64_t n) {
  for (std::int64_t i = 0; i < n; i += kLanes)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                        reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_loadu_ps(src + i))));
}

__attribute__((target("avx512f"))) void to_u8(const float* src, std::uint8_t* dst, std::int64_t n,
                                              float inv_scale, int zero_point) {
  const __m512 s = _mm512_set1_ps(inv_scale);
  const __m512 lo = _mm512_set1_ps(-256.f), hi = _mm512_set1_ps(256.f);
  const __m512i z = _mm512_set1_epi32(zero_point), zero = _mm512_setzero_si512();
  for (std::int64_t i = 0; i < n; i += kLanes) {
    // cvtps_epi32 rounds half to even (the default rounding mode); unsigned saturation above.
    // Clamped in float first: a value beyond int32 would convert to INT_MIN.
    const __m512 v = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_loadu_ps(src + i), s), lo), hi);
    const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(v), z);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm512_cvtusepi32_epi8(_mm512_max_epi32(q, zero)));
  }
}

}  // namespace calo::nn::phase_kernel

#pragma GCC diagnostic pop
