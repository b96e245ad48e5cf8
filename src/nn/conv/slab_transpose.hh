#pragma once
// nn-internal: moving channel-blocked data (a slab [P][block]: P positions of `block`
// channels, as one (n, channel block, d, h) row of nCdhw16c) to and from per-channel rows,
// 4 x 4 SSE transposes where the shapes allow, else element by element.
#include <cstdint>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace calo::nn {

/// rows[l][p] = slab[p * block + l] for l < lanes, p < P.
inline void slab_to_rows(const float* slab, std::int64_t block, std::int64_t lanes, std::int64_t P,
                         float* const* rows) {
  std::int64_t p = 0;
#if defined(__SSE2__)
  if (block % 4 == 0 && lanes % 4 == 0) {
    for (; p + 4 <= P; p += 4)
      for (std::int64_t g = 0; g < lanes; g += 4) {
        __m128 r0 = _mm_loadu_ps(slab + (p + 0) * block + g);
        __m128 r1 = _mm_loadu_ps(slab + (p + 1) * block + g);
        __m128 r2 = _mm_loadu_ps(slab + (p + 2) * block + g);
        __m128 r3 = _mm_loadu_ps(slab + (p + 3) * block + g);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        _mm_storeu_ps(rows[g + 0] + p, r0);
        _mm_storeu_ps(rows[g + 1] + p, r1);
        _mm_storeu_ps(rows[g + 2] + p, r2);
        _mm_storeu_ps(rows[g + 3] + p, r3);
      }
  }
#endif
  for (; p < P; ++p)
    for (std::int64_t l = 0; l < lanes; ++l) rows[l][p] = slab[p * block + l];
}

/// slab[p * block + l] = rows[l][p] for l < lanes, p < P.
inline void rows_to_slab(const float* const* rows, std::int64_t block, std::int64_t lanes, std::int64_t P,
                         float* slab) {
  std::int64_t p = 0;
#if defined(__SSE2__)
  if (block % 4 == 0 && lanes % 4 == 0) {
    for (; p + 4 <= P; p += 4)
      for (std::int64_t g = 0; g < lanes; g += 4) {
        __m128 r0 = _mm_loadu_ps(rows[g + 0] + p);
        __m128 r1 = _mm_loadu_ps(rows[g + 1] + p);
        __m128 r2 = _mm_loadu_ps(rows[g + 2] + p);
        __m128 r3 = _mm_loadu_ps(rows[g + 3] + p);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        _mm_storeu_ps(slab + (p + 0) * block + g, r0);
        _mm_storeu_ps(slab + (p + 1) * block + g, r1);
        _mm_storeu_ps(slab + (p + 2) * block + g, r2);
        _mm_storeu_ps(slab + (p + 3) * block + g, r3);
      }
  }
#endif
  for (; p < P; ++p)
    for (std::int64_t l = 0; l < lanes; ++l) slab[p * block + l] = rows[l][p];
}

}  // namespace calo::nn
