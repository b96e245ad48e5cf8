#include "nn/conv/conv3d_single_output.hh"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "nn/conv/single_output_row.hh"
#include "nn/plan.hh"

namespace calo::nn {

namespace {

constexpr std::int64_t kLanes = 16;  // channels per vector

class SingleOutputConvPlan : public Plan {
 public:
  SingleOutputConvPlan(Conv3D& conv, const Tensor& in, Mode mode, const BlockedLayout& layout)
      : Plan(conv, in, mode), conv_(conv), layout_(layout) {
    out_ = make_tensor(conv.context(), conv.output_dims(in_dims_), plain_desc(conv.output_dims(in_dims_)));
  }

  const Tensor& forward(const Tensor& in) override {
    const auto& s = conv_.spec();
    const std::int64_t K0 = s.kernel[0], K1 = s.kernel[1], K2 = s.kernel[2], K = K0 * K1 * K2;
    const std::int64_t groups = in_dims_.c / kLanes;
    if (packed_.empty() || !conv_.constant_weights())
      single_output::pack_weights(conv_.weight(), in_dims_.c, K, packed_);
    const Dims od = out_.dims();
    const float* x = in.impl().data();
    float* y = out_.impl().data();
    const float bias = s.use_bias ? conv_.bias()[0] : 0.f;
    const float shift = s.channel_shift ? conv_.shift()[0] : 0.f;
    const std::int64_t w_stride = layout_.offset(0, 0, 0, 0, 1) - layout_.offset(0, 0, 0, 0, 0);
    const std::int64_t rows = od.n * od.d * od.h;
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
        const single_output::RowArgs a{.taps = taps.data(),
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
        single_output::row(a);
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
