#include "nn/conv/conv3d_single_output.hh"

#include <immintrin.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "nn/plan.hh"

namespace calo::nn {

namespace {

constexpr std::int64_t kLanes = 16;  // channels per vector

/// What one output row needs: input pointers per (group, kd, kh) at w = 0, the stride along
/// w, and the repacked weights [group][kd][kh][kw][16].
struct RowArgs {
  const float* const* taps;  // [groups * KD * KH] pointers
  std::int64_t groups, kdh, kw, w_stride, ow;
  const float* weights;
  float bias, shift, alpha;
  bool activate;
  float* out;  // [ow]
};

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

class SingleOutputConvPlan : public Plan {
 public:
  SingleOutputConvPlan(Conv3D& conv, const Tensor& in, Mode mode, const BlockedLayout& layout)
      : Plan(conv, in, mode), conv_(conv), layout_(layout) {
    out_ = make_tensor(conv.context(), conv.output_dims(in_dims_), plain_desc(conv.output_dims(in_dims_)));
    avx512_ = __builtin_cpu_supports("avx512f") != 0;
  }

  const Tensor& forward(const Tensor& in) override {
    const auto& s = conv_.spec();
    const std::int64_t K0 = s.kernel[0], K1 = s.kernel[1], K2 = s.kernel[2], K = K0 * K1 * K2;
    const std::int64_t groups = in_dims_.c / kLanes;
    if (packed_.empty() || !conv_.constant_weights()) {  // [group][kd][kh][kw][16] from [1][IC][K]
      const auto w = conv_.weight();
      packed_.resize(static_cast<std::size_t>(in_dims_.c * K));
      for (std::int64_t g = 0; g < groups; ++g)
        for (std::int64_t k = 0; k < K; ++k)
          for (std::int64_t j = 0; j < kLanes; ++j)
            packed_[(g * K + k) * kLanes + j] = w[(g * kLanes + j) * K + k];
    }
    const Dims od = out_.dims();
    const float* x = in.impl().data();
    float* y = out_.impl().data();
    const float bias = s.use_bias ? conv_.bias()[0] : 0.f;
    const float shift = s.channel_shift ? conv_.shift()[0] : 0.f;
    const std::int64_t w_stride = layout_.offset(0, 0, 0, 0, 1) - layout_.offset(0, 0, 0, 0, 0);
    const std::int64_t rows = od.n * od.d * od.h;
    const bool avx = avx512_;
#pragma omp parallel
    {
      std::vector<const float*> taps(static_cast<std::size_t>(groups * K0 * K1));
#pragma omp for schedule(static)
      for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t h = r % od.h, d = r / od.h % od.d, n = r / od.h / od.d;
        for (std::int64_t g = 0; g < groups; ++g)
          for (std::int64_t kd = 0; kd < K0; ++kd)
            for (std::int64_t kh = 0; kh < K1; ++kh)
              taps[(g * K0 + kd) * K1 + kh] = x + layout_.offset(n, g * kLanes, d + kd, h + kh, 0);
        const RowArgs a{.taps = taps.data(),
                        .groups = groups,
                        .kdh = K0 * K1,
                        .kw = K2,
                        .w_stride = w_stride,
                        .ow = od.w,
                        .weights = packed_.data(),
                        .bias = bias,
                        .shift = shift,
                        .alpha = s.alpha,
                        .activate = s.activation != Activation::none,
                        .out = y + r * od.w};
        if (avx)
          row_avx512(a);
        else
          row_generic(a);
      }
    }
    return out_;
  }

  const Tensor* backward(const Tensor&, const BackwardOptions&) override {
    throw std::logic_error(conv_.name() + ": the single-output plan is inference only");
  }

 private:
  Conv3D& conv_;
  BlockedLayout layout_;
  Tensor out_;
  std::vector<float> packed_;
  bool avx512_ = false;
};

}  // namespace

std::unique_ptr<Plan> make_single_output_conv_plan(Conv3D& conv, const Tensor& in, Mode mode) {
  const auto& s = conv.spec();
  if (mode != Mode::infer || s.filters != 1 || s.upsample != std::array<std::int64_t, 3>{1, 1, 1})
    return nullptr;
  const Dims& d = in.dims();
  if (conv.pad_front(d) != std::array<std::int64_t, 3>{0, 0, 0} ||
      conv.pad_back(d) != std::array<std::int64_t, 3>{0, 0, 0})
    return nullptr;
  if (d.c % kLanes != 0 || desc_of(in).data_type() != dt::f32) return nullptr;
  const auto layout = BlockedLayout::of(desc_of(in));
  if (!layout || !layout->channel_blocked_only() || layout->contiguous_channels() % kLanes != 0)
    return nullptr;
  return std::make_unique<SingleOutputConvPlan>(conv, in, mode, *layout);
}

}  // namespace calo::nn
