#include "nn/conv/conv3d_fused_pair.hh"

#include <omp.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "nn/conv/phase_convolution.hh"
#include "nn/conv/single_output_row.hh"
#include "nn/plan.hh"

namespace calo::nn {

namespace {

constexpr std::int64_t kLanes = 16;  // channels per vector of the single-output rows

class FusedPairPlan : public Plan {
 public:
  FusedPairPlan(Conv3D& first, Conv3D& second, const Tensor& in, const BlockedLayout& in_layout)
      : Plan(first, in, Mode::infer), first_(first), second_(second), phases_(first, in_dims_, in_layout) {
    mid_ = phases_.out_dims();
    const Dims od = second.output_dims(mid_);
    out_ = make_tensor(first.context(), od, plain_desc(od));
    plane_floats_ = mid_.h * mid_.w * mid_.c;
  }

  const Tensor& forward(const Tensor& in) override {
    const auto& s = second_.spec();
    const std::int64_t KD = s.kernel[0], KH = s.kernel[1], KW = s.kernel[2];
    phases_.update_weights();
    if (packed_.empty() || !second_.constant_weights())
      single_output::pack_weights(second_.weight(), mid_.c, KD * KH * KW, packed_);
    phases_.pack_input(in);

    const Dims od = out_.dims();
    const int slots = omp_get_max_threads();
    const std::size_t ring_floats = static_cast<std::size_t>(KD * plane_floats_);
    const std::size_t tap_count = static_cast<std::size_t>(mid_.c / kLanes * KD * KH);
    if (static_cast<std::size_t>(slots) * ring_floats * sizeof(float) > rings_.size())  // thread count grew
      rings_ = AlignedBytes(static_cast<std::size_t>(slots) * ring_floats * sizeof(float));
    taps_.resize(static_cast<std::size_t>(slots) * tap_count);
    // Enough (sample, plane range) units for every thread, each range at least KD planes.
    const std::int64_t chunks =
        std::clamp<std::int64_t>((slots + od.n - 1) / od.n, 1, std::max<std::int64_t>(1, od.d / KD));
    const std::int64_t units = od.n * chunks;
    const float bias = s.use_bias ? second_.bias()[0] : 0.f;
    const float shift = s.channel_shift ? second_.shift()[0] : 0.f;
    float* y = out_.impl().data();
#pragma omp parallel num_threads(slots)
    {
      const int tid = omp_get_thread_num();
      float* ring = rings_.as<float>() + static_cast<std::size_t>(tid) * ring_floats;
      const float** taps = taps_.data() + static_cast<std::size_t>(tid) * tap_count;
#pragma omp for schedule(static)
      for (std::int64_t u = 0; u < units; ++u) {
        const std::int64_t n = u / chunks, c = u % chunks;
        const std::int64_t p0 = od.d * c / chunks, p1 = od.d * (c + 1) / chunks;
        for (std::int64_t m = p0; m < p1 + KD - 1; ++m) {
          phases_.run_plane(n, m, ring + (m % KD) * plane_floats_);
          const std::int64_t d = m - KD + 1;  // the output plane whose last input plane is m
          if (d < p0) continue;
          for (std::int64_t h = 0; h < od.h; ++h) {
            for (std::int64_t g = 0; g < mid_.c / kLanes; ++g)
              for (std::int64_t kd = 0; kd < KD; ++kd)
                for (std::int64_t kh = 0; kh < KH; ++kh)
                  taps[(g * KD + kd) * KH + kh] =
                      ring + ((d + kd) % KD) * plane_floats_ + (h + kh) * mid_.w * mid_.c + g * kLanes;
            single_output::row({.taps = taps,
                                .groups = mid_.c / kLanes,
                                .kdh = KD * KH,
                                .kw = KW,
                                .w_stride = mid_.c,
                                .ow = od.w,
                                .weights = packed_.data(),
                                .bias = bias,
                                .shift = shift,
                                .alpha = s.alpha,
                                .activate = s.activation != Activation::none,
                                .out = y + ((n * od.d + d) * od.h + h) * od.w});
          }
        }
      }
    }
    return out_;
  }

  const Tensor* backward(const Tensor&, const BackwardOptions&) override {
    throw std::logic_error(first_.name() + ": the fused pair plan is inference only");
  }

 private:
  Conv3D& first_;
  Conv3D& second_;
  PhaseConvolution phases_;
  Dims mid_;  // the first layer's output
  std::int64_t plane_floats_ = 0;
  Tensor out_;  // the second layer's output, plain
  std::vector<float> packed_;
  AlignedBytes rings_;              // [threads][KD][H][W][C] of the first layer's output
  std::vector<const float*> taps_;  // [threads][groups KD KH]
};

}  // namespace

std::unique_ptr<Plan> make_fused_pair_plan(Conv3D& first, Conv3D& second, const Tensor& in, Mode mode) {
  const auto& options = first.context().impl().options.conv;
  if (mode != Mode::infer || options.fuse == AlgorithmSwitch::off || options.phase == AlgorithmSwitch::off)
    return nullptr;
  if (!PhaseConvolution::applies(first, in)) return nullptr;
  const auto& s = second.spec();
  const Dims mid = first.output_dims(in.dims());
  if (s.filters != 1 || s.upsample != std::array<std::int64_t, 3>{1, 1, 1}) return nullptr;
  if (second.pad_front(mid) != std::array<std::int64_t, 3>{0, 0, 0} ||
      second.pad_back(mid) != std::array<std::int64_t, 3>{0, 0, 0})
    return nullptr;
  if (mid.c % kLanes != 0 ||
      static_cast<std::int64_t>(second.weight().size()) != mid.c * s.kernel[0] * s.kernel[1] * s.kernel[2])
    return nullptr;
  second.output_dims(mid);  // InputError on impossible shapes, as Layer::forward would give
  return std::make_unique<FusedPairPlan>(first, second, in, *BlockedLayout::of(desc_of(in)));
}

}  // namespace calo::nn
