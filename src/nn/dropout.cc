#include "nn/dropout.hh"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "core/error.hh"
#include "core/rng.hh"
#include "nn/plan.hh"

namespace calo::nn {

Dropout::Dropout(Context& ctx, std::string name, DropoutSpec spec)
    : Layer(ctx, std::move(name)), spec_(spec) {
  CALO_VALIDATE(spec_.rate >= 0.f && spec_.rate < 1.f, this->name() + ": rate must be in [0, 1)");
}

namespace {

constexpr std::int64_t kChunk = 4096;  // elements per random stream (dropout.hh)

/// One training forward's masks: element i of x (n elements) is dropped where the (i mod
/// kChunk)-th draw of Rng(seed, call * 2^24 + i / kChunk) is below rate. Dropping is decided
/// on the integer behind uniform(): uniform() is (k + 0.5) 2^-53 with k = next_u64() >> 11,
/// so it is below rate where k < ceil(rate 2^53 - 0.5) (rate 2^53 and the subtraction are
/// exact in double): the same masks, without the conversions.
struct MaskDraw {
  MaskDraw(std::uint64_t seed, std::uint64_t call, float rate, const float* x, float* y, float* m,
           std::int64_t n)
      : seed(seed),
        call(call),
        threshold(static_cast<std::uint64_t>(std::ceil(static_cast<double>(rate) * 0x1.0p53 - 0.5))),
        keep_scale(1.f / (1.f - rate)),
        x(x),
        y(y),
        m(m),
        n(n) {}
  std::uint64_t stream(std::int64_t chunk) const { return (call << 24) + static_cast<std::uint64_t>(chunk); }
  std::int64_t chunks() const { return (n + kChunk - 1) / kChunk; }
  /// Elements of chunk c: kChunk, or fewer for the last.
  std::int64_t length(std::int64_t c) const { return std::min(kChunk, n - c * kChunk); }

  std::uint64_t seed, call, threshold;
  float keep_scale;
  const float* x;
  float* y;  ///< x * mask
  float* m;  ///< the mask: 0 or keep_scale
  std::int64_t n;
};

void draw_chunk(const MaskDraw& d, std::int64_t c) {
  Rng rng(d.seed, d.stream(c));
  const std::int64_t begin = c * kChunk, end = begin + d.length(c);
  for (std::int64_t i = begin; i < end; ++i) {
    d.m[i] = (rng.next_u64() >> 11) < d.threshold ? 0.f : d.keep_scale;
    d.y[i] = d.x[i] * d.m[i];
  }
}

#if defined(__x86_64__)
bool avx512_masks() {
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
  }();
  return ok;
}

/// Chunks c0 .. c0 + 7 (those that exist) at once, the stream of chunk c0 + j in 64-bit lane j.
/// xoshiro256** needs only shifts, xors, adds and rotations (x * 5 = x + (x << 2), x * 9 = x +
/// (x << 3)), all in AVX-512F, so every lane draws exactly what draw_chunk draws: the masks
/// are the same bits on every CPU. The decisions go to one byte per element (bit j: chunk
/// c0 + j), then each chunk applies its bit 16 elements at a time. perf of a 3dgan-16 training
/// step (bench train, 2026-12-07): the masks fell from 7.3 % of the step (the scalar loop) to
/// 2.8 %.
__attribute__((target("avx512f,avx512bw,avx512vl"))) void draw_group_avx512(const MaskDraw& d,
                                                                            std::int64_t c0) {
  const int lanes = static_cast<int>(std::min<std::int64_t>(8, d.chunks() - c0));
  alignas(64) std::uint64_t state[4][8];
  for (int j = 0; j < 8; ++j) {  // lanes past the last chunk repeat its stream, unused
    const Rng rng(d.seed, d.stream(c0 + std::min(j, lanes - 1)));
    for (int k = 0; k < 4; ++k) state[k][j] = rng.state(k);
  }
  // GCC vector arithmetic, not intrinsics: GCC 12's shift and rotate intrinsics trip
  // -Wmaybe-uninitialized; these compile to the same vpsllq / vprolq.
  using Lanes = std::uint64_t __attribute__((vector_size(64)));
  Lanes s0, s1, s2, s3;
  std::memcpy(&s0, state[0], 64);
  std::memcpy(&s1, state[1], 64);
  std::memcpy(&s2, state[2], 64);
  std::memcpy(&s3, state[3], 64);
  const __m512i threshold = _mm512_set1_epi64(static_cast<long long>(d.threshold));
  alignas(64) std::uint8_t dropped[kChunk];
  const std::int64_t draws = d.length(c0);  // the group's longest chunk
  for (std::int64_t i = 0; i < draws; ++i) {
    Lanes r = s1 + (s1 << 2);
    r = (r << 7) | (r >> 57);  // rotations: vprolq
    r = r + (r << 3);
    const Lanes t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 45) | (s3 >> 19);
    dropped[i] = _mm512_cmplt_epu64_mask(reinterpret_cast<__m512i>(r >> 11), threshold);
  }
  const __m512 keep = _mm512_set1_ps(d.keep_scale);
  for (int j = 0; j < lanes; ++j) {
    const std::int64_t base = (c0 + j) * kChunk, length = d.length(c0 + j);
    const __m128i bit = _mm_set1_epi8(static_cast<char>(1 << j));
    for (std::int64_t i = 0; i < length; i += 16) {
      const auto live = static_cast<__mmask16>(length - i >= 16 ? 0xFFFF : (1u << (length - i)) - 1);
      const __mmask16 drop =
          _mm_mask_test_epi8_mask(live, _mm_load_si128(reinterpret_cast<const __m128i*>(dropped + i)), bit);
      const __m512 m = _mm512_maskz_mov_ps(static_cast<__mmask16>(live & ~drop), keep);
      _mm512_mask_storeu_ps(d.m + base + i, live, m);
      _mm512_mask_storeu_ps(d.y + base + i, live,
                            _mm512_mul_ps(_mm512_maskz_loadu_ps(live, d.x + base + i), m));
    }
  }
}
#endif

}  // namespace

class DropoutPlan : public Plan {
 public:
  DropoutPlan(Dropout& drop, const Tensor& in, Mode mode) : Plan(drop, in, mode), drop_(drop) {
    if (mode != Mode::train) return;
    size_ = static_cast<std::int64_t>(in_desc_.get_size() / sizeof(float));
    mask_.resize(size_);
    out_ = make_tensor(drop.context(), in_dims_, in_desc_);
    diff_in_ = make_tensor(drop.context(), in_dims_, in_desc_);
  }

  /// Works on the physical buffer (any layout): padding elements of blocked layouts are 0
  /// and stay 0.
  const Tensor& forward(const Tensor& in) override {
    if (mode_ == Mode::infer) return in;
    const MaskDraw d(drop_.spec_.seed, drop_.calls_++, drop_.spec_.rate, in.impl().data(), out_.impl().data(),
                     mask_.data(), size_);
    const std::int64_t chunks = d.chunks();
#if defined(__x86_64__)
    if (avx512_masks()) {
#pragma omp parallel for schedule(static)
      for (std::int64_t c = 0; c < chunks; c += 8) draw_group_avx512(d, c);
      return out_;
    }
#endif
#pragma omp parallel for schedule(static)
    for (std::int64_t c = 0; c < chunks; ++c) draw_chunk(d, c);
    return out_;
  }

  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override {
    if (!opt.need_diff_in) return nullptr;
    const float* dy = diff_out.impl().data();
    float* dx = diff_in_.impl().data();
    const float* m = mask_.data();
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < size_; ++i) dx[i] = dy[i] * m[i];
    return &diff_in_;
  }

 private:
  Dropout& drop_;
  std::int64_t size_ = 0;
  std::vector<float> mask_;
  Tensor out_, diff_in_;
};

std::unique_ptr<Plan> Dropout::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<DropoutPlan>(*this, in, mode);
}

}  // namespace calo::nn
