#include "nn/conv3d.hh"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/error.hh"
#include "nn/conv/conv3d_fft.hh"
#include "nn/conv/conv3d_fused_pair.hh"
#include "nn/conv/conv3d_polyphase.hh"
#include "nn/conv/conv3d_single_output.hh"
#include "nn/conv/conv3d_thin_input.hh"
#include "nn/conv/conv_plan.hh"
#include "nn/eltwise.hh"
#include "nn/plan.hh"
#include "nn/up_sampling3d.hh"
#include "nn/zero_pad3d.hh"

namespace calo::nn {

Conv3D::Conv3D(Context& ctx, std::string name, Conv3DSpec spec) : Layer(ctx, std::move(name)), spec_(spec) {
  CALO_VALIDATE(spec_.filters > 0, this->name() + ": filters must be positive");
  for (int i = 0; i < 3; ++i) {
    CALO_VALIDATE(spec_.kernel[i] > 0, this->name() + ": kernel sizes must be positive");
    CALO_VALIDATE(spec_.extra_front[i] >= 0 && spec_.extra_back[i] >= 0,
                  this->name() + ": padding must not be negative");
  }
  CALO_VALIDATE(spec_.alpha >= 0.f, this->name() + ": LeakyReLU alpha must be >= 0");
  for (auto f : spec_.upsample) CALO_VALIDATE(f >= 1, this->name() + ": upsampling factors must be >= 1");
  if (spec_.int8)
    CALO_VALIDATE(
        spec_.int8_input.scale >= 0 && std::isfinite(spec_.int8_input.scale) &&
            spec_.int8_input.zero_point >= 0 && spec_.int8_input.zero_point <= 255,
        this->name() +
            ": int8 input quantisation needs a scale >= 0 (0: per sample) and a zero point in 0..255");
}

std::array<std::int64_t, 3> Conv3D::pad_front(const Dims&) const {
  std::array<std::int64_t, 3> p{};
  for (int i = 0; i < 3; ++i)
    p[i] = (spec_.padding == Padding::same ? (spec_.kernel[i] - 1) / 2 : 0) + spec_.extra_front[i];
  return p;
}

std::array<std::int64_t, 3> Conv3D::pad_back(const Dims&) const {
  std::array<std::int64_t, 3> p{};
  for (int i = 0; i < 3; ++i) {
    const std::int64_t total = spec_.padding == Padding::same ? spec_.kernel[i] - 1 : 0;
    p[i] = total - total / 2 + spec_.extra_back[i];
  }
  return p;
}

Dims Conv3D::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  CALO_VALIDATE(in_channels_ == 0 || in.c == in_channels_, name() + ": input has " + std::to_string(in.c) +
                                                               " channels (declared with " +
                                                               std::to_string(in_channels_) + ")");
  const auto f = pad_front(in), b = pad_back(in);
  const auto& u = spec_.upsample;
  const std::int64_t sizes[3] = {in.d * u[0], in.h * u[1], in.w * u[2]};
  std::int64_t out[3];
  for (int i = 0; i < 3; ++i) {
    out[i] = sizes[i] + f[i] + b[i] - spec_.kernel[i] + 1;
    CALO_VALIDATE(out[i] >= 1, name() + ": kernel " + std::to_string(spec_.kernel[i]) +
                                   " larger than the padded input " + std::to_string(sizes[i] + f[i] + b[i]) +
                                   " in dimension " + "DHW"[i]);
  }
  return {in.n, spec_.filters, out[0], out[1], out[2]};
}

double Conv3D::forward_flops(const Dims& in) const {
  const Dims out = output_dims(in);
  const double per_tap = 2.0 * static_cast<double>(in.n) * spec_.filters * in.c;
  if (spec_.upsample == std::array<std::int64_t, 3>{1, 1, 1})
    return per_tap * static_cast<double>(out.d * out.h * out.w) * spec_.kernel[0] * spec_.kernel[1] *
           spec_.kernel[2];
  const auto pf = pad_front(in);
  const std::int64_t n[3] = {in.d, in.h, in.w}, o[3] = {out.d, out.h, out.w};
  double work[3];  // per dimension: sum over phases of computed outputs x taps (separable)
  for (int i = 0; i < 3; ++i) {
    work[i] = 0;
    for (const PhaseAxis& a : split_phases(n[i], spec_.upsample[i], pf[i], spec_.kernel[i], o[i]))
      work[i] += static_cast<double>(a.computed * a.taps);
  }
  return per_tap * work[0] * work[1] * work[2];
}

Dims Conv3D::declare(const Dims& in, ParameterStore& store) {
  const Dims out = Layer::declare(in, store);
  in_channels_ = in.c;
  weight_ =
      store.add(name() + ".weight", {spec_.filters, in.c, spec_.kernel[0], spec_.kernel[1], spec_.kernel[2]});
  if (spec_.use_bias) bias_ = store.add(name() + ".bias", {spec_.filters});
  if (spec_.channel_shift) shift_ = store.add(name() + ".shift", {spec_.filters});
  return out;
}

void Conv3D::initialise_parameters(Rng& rng) {
  const std::int64_t rf = spec_.kernel[0] * spec_.kernel[1] * spec_.kernel[2];
  const std::int64_t fan_in = in_channels_ * rf, fan_out = spec_.filters * rf;
  nn::initialise(spec_.kernel_init, store_->value(weight_), fan_in, fan_out, rng);
  if (spec_.use_bias) nn::initialise(spec_.bias_init, store_->value(bias_), fan_in, fan_out, rng);
}

bool Conv3D::absorb_previous(Layer& prev) {
  const bool upsampled = spec_.upsample != std::array<std::int64_t, 3>{1, 1, 1};
  if (auto* up = dynamic_cast<UpSampling3D*>(&prev); up && !upsampled) {
    spec_.upsample = up->spec().factors;
    return true;
  }
  auto* pad = dynamic_cast<ZeroPad3D*>(&prev);
  // A padding before an upsampling is not a padding of the upsampled input: not absorbed.
  if (!pad || upsampled) return false;
  for (int i = 0; i < 3; ++i) {
    spec_.extra_front[i] += pad->spec().front[i];
    spec_.extra_back[i] += pad->spec().back[i];
  }
  return true;
}

bool Conv3D::absorb_next(Layer& next) {
  auto* act = dynamic_cast<Eltwise*>(&next);
  // After a shift an activation would act on the shifted values: not this layer's order.
  if (!act || spec_.activation != Activation::none || spec_.channel_shift) return false;
  if (act->kind() == EltwiseKind::relu) {
    spec_.activation = Activation::relu;
    spec_.alpha = 0.f;
  } else if (act->kind() == EltwiseKind::leaky_relu && act->alpha() >= 0.f) {
    spec_.activation = Activation::leaky_relu;
    spec_.alpha = act->alpha();
  } else {
    return false;
  }
  return true;
}

std::span<float> Conv3D::weight() const { return store_->value(weight_); }
std::span<float> Conv3D::shift() const {
  return spec_.channel_shift ? store_->value(shift_) : std::span<float>();
}
std::span<float> Conv3D::weight_grad() const { return store_->grad(weight_); }
std::span<float> Conv3D::bias() const { return spec_.use_bias ? store_->value(bias_) : std::span<float>(); }
std::span<float> Conv3D::bias_grad() const {
  return spec_.use_bias ? store_->grad(bias_) : std::span<float>();
}

// The algorithms in order of preference, each where it applies and as the context's options
// (ContextOptions::conv) allow; the direct convolution always applies.
std::unique_ptr<Plan> Conv3D::make_plan(const Tensor& in, Mode mode) {
  if (spec_.channel_shift && mode == Mode::train)
    throw std::logic_error(name() + ": a channel shift (folded BatchNorm) is inference only");
  if (spec_.bf16 && mode == Mode::train) throw std::logic_error(name() + ": bf16 is inference only");
  if (spec_.int8 && mode == Mode::train) throw std::logic_error(name() + ": int8 is inference only");
  if (spec_.upsample != std::array<std::int64_t, 3>{1, 1, 1})
    return make_polyphase_conv_plan(*this, in, mode);
  if (auto one = make_single_output_conv_plan(*this, in, mode)) return one;  // conv/conv3d_single_output.hh
  if (auto fft = make_fft_conv_plan(*this, in, mode)) return fft;            // conv/conv3d_fft.hh
  if (auto thin = make_thin_input_conv_plan(*this, in, mode)) return thin;   // conv/conv3d_thin_input.hh
  return std::make_unique<ConvPlan>(*this, in, mode);                        // conv/conv_plan.hh
}

bool Conv3D::fuses_with(const Layer& next) const {
  const auto* second = dynamic_cast<const Conv3D*>(&next);
  return second && second->spec().filters == 1;
}

std::unique_ptr<Plan> Conv3D::make_fused_plan(Layer& next, const Tensor& in, Mode mode) {
  return make_fused_pair_plan(*this, dynamic_cast<Conv3D&>(next), in, mode);  // conv/conv3d_fused_pair.hh
}

}  // namespace calo::nn
