#include "nn/conv/real_fft3d.hh"

#include <fftw3.h>

#if defined(__x86_64__)
#include <immintrin.h>
// GCC 12 reports its own _mm512_undefined_ps() (inside _mm512_permute_ps and friends) as
// "may be used uninitialized": a known false positive of the intrinsics headers.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>

#include "core/error.hh"

namespace calo::nn {
namespace {

// FFTW's planner (and plan destruction) is not thread-safe; execution is.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

fftwf_complex* complex_of(float* p) { return reinterpret_cast<fftwf_complex*>(p); }

// Rows of 32 (the discriminator's planes) with AVX-512: the packing and unpacking of the row
// pairs around FFTW's complex transform, which scalar code made as slow as the real
// transform they replace. Null rows read as zeros and are not written.
#if defined(__x86_64__)
bool have_avx512() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return yes;
}

// Sign flips by a mask of sign bits (AVX-512F has no float xor; that is DQ).
__attribute__((target("avx512f"))) inline __m512 flip(__m512 v, __m512i signs) {
  return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), signs));
}

__attribute__((target("avx512f"))) void pack32(const float* a, const float* b, float* z) {
  const __m512i lo = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i hi = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  const __m512 zero = _mm512_setzero_ps();
  const __m512 a0 = a ? _mm512_loadu_ps(a) : zero, a1 = a ? _mm512_loadu_ps(a + 16) : zero;
  const __m512 b0 = b ? _mm512_loadu_ps(b) : zero, b1 = b ? _mm512_loadu_ps(b + 16) : zero;
  _mm512_storeu_ps(z, _mm512_permutex2var_ps(a0, lo, b0));
  _mm512_storeu_ps(z + 16, _mm512_permutex2var_ps(a0, hi, b0));
  _mm512_storeu_ps(z + 32, _mm512_permutex2var_ps(a1, lo, b1));
  _mm512_storeu_ps(z + 48, _mm512_permutex2var_ps(a1, hi, b1));
}

// A = (Z + conj R) / 2, B = (Z - conj R) / 2i with R[k] = Z[(32 - k) % 32], k = 0 .. 16.
__attribute__((target("avx512f"))) void split32(const float* z, float* A, float* B) {
  const __m512 z0 = _mm512_loadu_ps(z), z1 = _mm512_loadu_ps(z + 16), z2 = _mm512_loadu_ps(z + 32),
               z3 = _mm512_loadu_ps(z + 48);
  // k = 0: Z[0] (first source, floats 0-1); k = 1..7: Z[31..25] (second source z3).
  const __m512i r_lo = _mm512_set_epi32(19, 18, 21, 20, 23, 22, 25, 24, 27, 26, 29, 28, 31, 30, 1, 0);
  // k = 8: Z[24] (z3, floats 16-17); k = 9..15: Z[23..17] (first source z2, complex 7..1).
  const __m512i r_hi = _mm512_set_epi32(3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14, 17, 16);
  const __m512 r0 = _mm512_permutex2var_ps(z0, r_lo, z3), r1 = _mm512_permutex2var_ps(z2, r_hi, z3);
  const __m512i odd = _mm512_set1_epi64(static_cast<long long>(0x8000000000000000ULL));
  const __m512 half = _mm512_set1_ps(0.5f);
  const __m512 c0 = flip(r0, odd), c1 = flip(r1, odd);  // conj R
  _mm512_storeu_ps(A, _mm512_mul_ps(half, _mm512_add_ps(z0, c0)));
  _mm512_storeu_ps(A + 16, _mm512_mul_ps(half, _mm512_add_ps(z1, c1)));
  A[32] = z[32];  // k = 16: R = Z
  A[33] = 0.f;
  if (!B) return;
  // (d.re, d.im) / i = (d.im, -d.re)
  const __m512 d0 = _mm512_sub_ps(z0, c0), d1 = _mm512_sub_ps(z1, c1);
  _mm512_storeu_ps(B, _mm512_mul_ps(half, flip(_mm512_permute_ps(d0, 0xB1), odd)));
  _mm512_storeu_ps(B + 16, _mm512_mul_ps(half, flip(_mm512_permute_ps(d1, 0xB1), odd)));
  B[32] = z[33];
  B[33] = 0.f;
}

// The row X[0..31] of a Hermitian half spectrum X[0..16] (imaginary parts of X[0] and X[16]
// dropped, as FFTW's c2r does), as four vectors of 8 complex numbers.
__attribute__((target("avx512f"))) void hermitian32(const float* X, __m512 v[4]) {
  const __m512i odd = _mm512_set1_epi64(static_cast<long long>(0x8000000000000000ULL));
  if (!X) {
    for (int i = 0; i < 4; ++i) v[i] = _mm512_setzero_ps();
    return;
  }
  const __m512 x0 = _mm512_maskz_loadu_ps(0xFFFD, X);  // X[0] real only
  const __m512 x1 = _mm512_loadu_ps(X + 16);
  const __m512 x16 = _mm512_maskz_loadu_ps(0x0001, X + 32);  // X[16] real only, in lane 0
  // k = 16: X[16] (second source x16, float 16); k = 17..23: conj X[15..9] (first source x1,
  // complex 7..1).
  const __m512i m2 = _mm512_set_epi32(3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14, 17, 16);
  // k = 24: conj X[8] (second source x1, complex 0); k = 25..31: conj X[7..1] (first source x0).
  const __m512i m3 = _mm512_set_epi32(3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14, 17, 16);
  v[0] = x0;
  v[1] = x1;
  v[2] = flip(_mm512_permutex2var_ps(x1, m2, x16), odd);
  v[3] = flip(_mm512_permutex2var_ps(x0, m3, x1), odd);
}

// Z = A + i B over the whole row: (A.re - B.im, A.im + B.re).
__attribute__((target("avx512f"))) void join32(const float* A, const float* B, float* z) {
  __m512 a[4], b[4];
  hermitian32(A, a);
  hermitian32(B, b);
  const __m512i even = _mm512_set1_epi64(0x80000000LL);
  for (int i = 0; i < 4; ++i)
    _mm512_storeu_ps(z + 16 * i, _mm512_add_ps(a[i], flip(_mm512_permute_ps(b[i], 0xB1), even)));
}

// a = Re z, b = Im z.
__attribute__((target("avx512f"))) void unpack32(const float* z, float* a, float* b) {
  const __m512i re = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i im = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  const __m512 z0 = _mm512_loadu_ps(z), z1 = _mm512_loadu_ps(z + 16), z2 = _mm512_loadu_ps(z + 32),
               z3 = _mm512_loadu_ps(z + 48);
  _mm512_storeu_ps(a, _mm512_permutex2var_ps(z0, re, z1));
  _mm512_storeu_ps(a + 16, _mm512_permutex2var_ps(z2, re, z3));
  if (!b) return;
  _mm512_storeu_ps(b, _mm512_permutex2var_ps(z0, im, z1));
  _mm512_storeu_ps(b + 16, _mm512_permutex2var_ps(z2, im, z3));
}
#endif

}  // namespace

RealFft3D::Buffer RealFft3D::alloc(std::size_t floats) {
  const std::size_t n = std::max<std::size_t>(floats, 1);
  float* p = fftwf_alloc_real(n);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, n * sizeof(float));
  return Buffer(p);
}

void RealFft3D::Free::operator()(float* p) const { fftwf_free(p); }

std::int64_t RealFft3D::good_size(std::int64_t n) {
  if (n <= 8) return std::max<std::int64_t>(n, 1);
  std::int64_t p = 8;
  while (p < n) p *= 2;
  const std::int64_t three = p / 4 * 3;  // 3 * 2^a between p/2 and p
  return three >= n ? three : p;
}

RealFft3D::RealFft3D(std::array<std::int64_t, 3> n) : RealFft3D(n, Box{{0, 0, 0}, n}) {}

RealFft3D::RealFft3D(std::array<std::int64_t, 3> n, Box region) : n_(n), region_(region) {
  for (int i = 0; i < 3; ++i) {
    if (n_[i] < 1) throw std::logic_error("RealFft3D: non-positive size " + std::to_string(n_[i]));
    if (region_.offset[i] < 0 || region_.size[i] < 1 || region_.offset[i] + region_.size[i] > n_[i])
      throw std::logic_error("RealFft3D: region outside the plane in dimension " + std::to_string(i));
  }
  // Rows of W are transformed whole, so a region only prunes rows of D and H; rows longer than
  // the W pass's stack buffer take the whole-plane transforms.
  whole_ = (region_.size[0] == n_[0] && region_.size[1] == n_[1]) || n_[2] > kMaxRow;
  Buffer plane = alloc(static_cast<std::size_t>(plane_stride()));
  Buffer spec = alloc(static_cast<std::size_t>(2 * spectrum_stride()));
  fftwf_complex* c = complex_of(spec.get());
  std::lock_guard<std::mutex> lock(planner_mutex());
  if (whole_) {
    const int dims[3] = {static_cast<int>(n_[0]), static_cast<int>(n_[1]), static_cast<int>(n_[2])};
    r2c_ = fftwf_plan_dft_r2c(3, dims, plane.get(), c, FFTW_ESTIMATE);
    c2r_ = fftwf_plan_dft_c2r(3, dims, c, plane.get(), FFTW_ESTIMATE);
    if (!r2c_ || !c2r_) {
      destroy_plans();
      throw RuntimeError("RealFft3D: FFTW could not plan the transform");
    }
    return;
  }
  const std::int64_t N1 = n_[1], N2 = n_[2], H = N2 / 2 + 1;
  const std::int64_t o0 = region_.offset[0], L0 = region_.size[0];
  // Planned on the same offsets as executed, so the arrays' alignment matches.
  fftwf_complex* cplanes = c + o0 * N1 * H;
  const fftw_iodim64 along_h{N1, H, H};
  const fftw_iodim64 box_planes[2] = {{L0, N1 * H, N1 * H}, {H, 1, 1}};
  const fftw_iodim64 along_d{n_[0], N1 * H, N1 * H};
  const fftw_iodim64 all_columns{N1 * H, 1, 1};
  // The rows along W run as complex transforms of two real rows at once (one as the real, one
  // as the imaginary part), kPairs pairs per call on a stack buffer: Debian's FFTW has SIMD
  // codelets for complex transforms only, and its scalar real ones took half of the three
  // passes (17 us of 34 per 32^3 plane, measured 2026-12-08).
  alignas(64) fftwf_complex pairs[kPairs * kMaxRow];
  const int row_n = static_cast<int>(N2);
  fwd_w_ = fftwf_plan_many_dft(1, &row_n, kPairs, pairs, nullptr, 1, row_n, pairs, nullptr, 1, row_n,
                               FFTW_FORWARD, FFTW_ESTIMATE);
  fwd_h_ = fftwf_plan_guru64_dft(1, &along_h, 2, box_planes, cplanes, cplanes, FFTW_FORWARD, FFTW_ESTIMATE);
  fwd_d_ = fftwf_plan_guru64_dft(1, &along_d, 1, &all_columns, c, c, FFTW_FORWARD, FFTW_ESTIMATE);
  inv_d_ = fftwf_plan_guru64_dft(1, &along_d, 1, &all_columns, c, c, FFTW_BACKWARD, FFTW_ESTIMATE);
  inv_h_ = fftwf_plan_guru64_dft(1, &along_h, 2, box_planes, cplanes, cplanes, FFTW_BACKWARD, FFTW_ESTIMATE);
  inv_w_ = fftwf_plan_many_dft(1, &row_n, kPairs, pairs, nullptr, 1, row_n, pairs, nullptr, 1, row_n,
                               FFTW_BACKWARD, FFTW_ESTIMATE);
  if (!fwd_w_ || !fwd_h_ || !fwd_d_ || !inv_d_ || !inv_h_ || !inv_w_) {
    destroy_plans();  // the destructor does not run for a constructor that throws
    throw RuntimeError("RealFft3D: FFTW could not plan the region's transforms");
  }
}

void RealFft3D::destroy_plans() {  // with the planner mutex held
  for (void** p : {&r2c_, &c2r_, &fwd_w_, &fwd_h_, &fwd_d_, &inv_d_, &inv_h_, &inv_w_}) {
    if (*p) fftwf_destroy_plan(static_cast<fftwf_plan>(*p));
    *p = nullptr;
  }
}

RealFft3D::~RealFft3D() {
  std::lock_guard<std::mutex> lock(planner_mutex());
  destroy_plans();
}

void RealFft3D::forward(const float* plane, float* spectrum) const {
  // r2c leaves its input alone (FFTW_PRESERVE_INPUT is the default for it).
  float* in = const_cast<float*>(plane);
  fftwf_complex* c = complex_of(spectrum);
  if (whole_) return fftwf_execute_dft_r2c(static_cast<fftwf_plan>(r2c_), in, c);
  const std::int64_t N0 = n_[0], N1 = n_[1], N2 = n_[2], H = N2 / 2 + 1;
  const std::int64_t o0 = region_.offset[0], o1 = region_.offset[1];
  const std::int64_t L0 = region_.size[0], L1 = region_.size[1];
  // The rows and planes the passes skip are transforms of zeros: zero.
  for (std::int64_t d = 0; d < N0; ++d) {
    fftwf_complex* p = c + d * N1 * H;
    if (d < o0 || d >= o0 + L0) {
      std::memset(p, 0, sizeof(fftwf_complex) * N1 * H);
    } else {
      std::memset(p, 0, sizeof(fftwf_complex) * o1 * H);
      std::memset(p + (o1 + L1) * H, 0, sizeof(fftwf_complex) * (N1 - o1 - L1) * H);
    }
  }
  rows_forward(in, spectrum);
  fftwf_execute_dft(static_cast<fftwf_plan>(fwd_h_), c + o0 * N1 * H, c + o0 * N1 * H);
  fftwf_execute_dft(static_cast<fftwf_plan>(fwd_d_), c, c);
}

void RealFft3D::inverse(float* spectrum, float* plane) const {
  fftwf_complex* c = complex_of(spectrum);
  if (whole_) return fftwf_execute_dft_c2r(static_cast<fftwf_plan>(c2r_), c, plane);
  const std::int64_t N1 = n_[1], H = n_[2] / 2 + 1, o0 = region_.offset[0];
  fftwf_execute_dft(static_cast<fftwf_plan>(inv_d_), c, c);
  fftwf_execute_dft(static_cast<fftwf_plan>(inv_h_), c + o0 * N1 * H, c + o0 * N1 * H);
  rows_inverse(spectrum, plane);
}

// The pass along W: the region's rows in order (D major), paired 0-1, 2-3, ...; a missing
// last partner is a zero row (fill sees a null row and drain does not write one). fill packs
// pair p into its complex row zp, plan transforms kPairs rows at once, drain unpacks them.
template <class Fill, class Drain>
void RealFft3D::for_row_pairs(void* plan, Fill&& fill, Drain&& drain) const {
  const std::int64_t rows = region_.size[0] * region_.size[1], N2 = n_[2];
  alignas(64) float z[2 * kPairs * kMaxRow];
  for (std::int64_t r0 = 0; r0 < rows; r0 += 2 * kPairs) {
    for (std::int64_t p = 0; p < kPairs; ++p) {
      const std::int64_t ra = r0 + 2 * p, rb = ra + 1;
      fill(ra < rows ? region_row(ra) : -1, rb < rows ? region_row(rb) : -1, z + 2 * p * N2);
    }
    fftwf_execute_dft(static_cast<fftwf_plan>(plan), complex_of(z), complex_of(z));
    for (std::int64_t p = 0; p < kPairs && r0 + 2 * p < rows; ++p) {
      const std::int64_t ra = r0 + 2 * p, rb = ra + 1;
      drain(region_row(ra), rb < rows ? region_row(rb) : -1, z + 2 * p * N2);
    }
  }
}

std::int64_t RealFft3D::region_row(std::int64_t r) const {
  const std::int64_t L1 = region_.size[1];
  return (region_.offset[0] + r / L1) * n_[1] + region_.offset[1] + r % L1;
}

// Two real rows a and b as one complex row z = a + i b: Z = A + i B, and since A and B are
// Hermitian, A[k] = (Z[k] + conj Z[N-k]) / 2 and B[k] = (Z[k] - conj Z[N-k]) / 2i.
void RealFft3D::rows_forward(const float* plane, float* spectrum) const {
  const std::int64_t N2 = n_[2], H = N2 / 2 + 1;
#if defined(__x86_64__)
  const bool vector32 = N2 == 32 && have_avx512();
#endif
  auto fill = [&](std::int64_t ia, std::int64_t ib, float* zp) {
    const float* a = ia >= 0 ? plane + ia * N2 : nullptr;
    const float* b = ib >= 0 ? plane + ib * N2 : nullptr;
#if defined(__x86_64__)
    if (vector32) return pack32(a, b, zp);
#endif
    for (std::int64_t j = 0; j < N2; ++j) {
      zp[2 * j] = a ? a[j] : 0.f;
      zp[2 * j + 1] = b ? b[j] : 0.f;
    }
  };
  auto drain = [&](std::int64_t ia, std::int64_t ib, const float* zp) {
    float* A = spectrum + 2 * ia * H;
    float* B = ib >= 0 ? spectrum + 2 * ib * H : nullptr;
#if defined(__x86_64__)
    if (vector32) return split32(zp, A, B);
#endif
    for (std::int64_t k = 0; k < H; ++k) {
      const std::int64_t m = k == 0 ? 0 : N2 - k;
      const float zr = zp[2 * k], zi = zp[2 * k + 1], mr = zp[2 * m], mi = -zp[2 * m + 1];  // conj Z[N-k]
      A[2 * k] = 0.5f * (zr + mr);
      A[2 * k + 1] = 0.5f * (zi + mi);
      if (B) {
        B[2 * k] = 0.5f * (zi - mi);
        B[2 * k + 1] = -0.5f * (zr - mr);
      }
    }
  };
  for_row_pairs(fwd_w_, fill, drain);
}

// The inverse: Z = A + i B over the whole row (A[N-k] = conj A[k]; as FFTW's c2r, the
// imaginary parts of A[0] and of the Nyquist bin A[N/2] are ignored), then a = Re z, b = Im z.
void RealFft3D::rows_inverse(const float* spectrum, float* plane) const {
  const std::int64_t N2 = n_[2], H = N2 / 2 + 1;
#if defined(__x86_64__)
  const bool vector32 = N2 == 32 && have_avx512();
#endif
  auto fill = [&](std::int64_t ia, std::int64_t ib, float* zp) {
    const float* A = ia >= 0 ? spectrum + 2 * ia * H : nullptr;
    const float* B = ib >= 0 ? spectrum + 2 * ib * H : nullptr;
#if defined(__x86_64__)
    if (vector32) return join32(A, B, zp);
#endif
    for (std::int64_t k = 0; k < N2; ++k) {
      const bool mirror = k >= H;
      const std::int64_t q = mirror ? N2 - k : k;
      const bool real_only = q == 0 || 2 * q == N2;
      float ar = 0, ai = 0, br = 0, bi = 0;
      if (A) ar = A[2 * q], ai = real_only ? 0.f : (mirror ? -A[2 * q + 1] : A[2 * q + 1]);
      if (B) br = B[2 * q], bi = real_only ? 0.f : (mirror ? -B[2 * q + 1] : B[2 * q + 1]);
      zp[2 * k] = ar - bi;  // A + i B
      zp[2 * k + 1] = ai + br;
    }
  };
  auto drain = [&](std::int64_t ia, std::int64_t ib, const float* zp) {
    float* a = plane + ia * N2;
    float* b = ib >= 0 ? plane + ib * N2 : nullptr;
#if defined(__x86_64__)
    if (vector32) return unpack32(zp, a, b);
#endif
    for (std::int64_t j = 0; j < N2; ++j) {
      a[j] = zp[2 * j];
      if (b) b[j] = zp[2 * j + 1];
    }
  };
  for_row_pairs(inv_w_, fill, drain);
}

}  // namespace calo::nn
