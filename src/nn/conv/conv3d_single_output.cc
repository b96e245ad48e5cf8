#include "nn/conv/conv3d_single_output.hh"

#include <immintrin.h>

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

__attribute__((target("avx512f"))) void row_avx512(const RowArgs& a) {
  for (std::int64_t w = 0; w < a.ow; ++w) {
    __m512 acc = _mm512_setzero_ps();
    const float* wt = a.weights;
    for (std::int64_t t = 0; t < a.groups * a.kdh; ++t)
      for (std::int64_t k = 0; k < a.kw; ++k, wt += kLanes)
        acc = _mm512_fmadd_ps(_mm512_loadu_ps(a.taps[t] + (w + k) * a.w_stride), _mm512_loadu_ps(wt), acc);
    alignas(64) float lanes[kLanes];  // (GCC 12's _mm512_reduce_add_ps warns falsely)
    _mm512_store_ps(lanes, acc);
    float s = 0;
    for (float v : lanes) s += v;
    a.out[w] = finish(s + a.bias, a);
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
