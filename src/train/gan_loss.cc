#include "train/gan_loss.hh"

#include <string>
#include <vector>

#include "core/error.hh"
#include "nn/losses.hh"

namespace calo::train {

namespace {

/// One weighted term: value of loss(p, y); its gradient scaled by weight into `grad` (a
/// tensor in the output's layout, made on first use or when the output changed shape).
template <class Loss>
float weighted_term(Loss loss, const nn::Tensor& output, std::span<const float> target, float weight,
                    nn::Tensor& grad) {
  const std::vector<float> p = output.to_host();
  std::vector<float> d(p.size());
  const float value = loss(p, target, d);
  for (float& x : d) x *= weight;
  if (!grad || grad.dims() != output.dims()) grad = nn::Tensor::zeros_like(output);
  grad.assign(d);
  return value;
}

}  // namespace

gan::DiscriminatorGrads LossGradients::view() const {
  return {.real_fake = &real_fake_, .energy = &energy_, .ecal_sum = has_ecal_sum_ ? &ecal_sum_ : nullptr};
}

LossTerms discriminator_loss(const gan::DiscriminatorOutputs& out, const LossTargets& targets,
                             const LossWeights& weights, LossGradients& grads) {
  const auto batch = static_cast<std::size_t>(out.real_fake->dims().n);
  CALO_VALIDATE(targets.labels.size() == batch && targets.energy.size() == batch &&
                    (!out.ecal_sum || targets.ecal_sum.size() == batch),
                "discriminator loss: targets (labels " + std::to_string(targets.labels.size()) +
                    ", energies " + std::to_string(targets.energy.size()) + ", ECAL sums " +
                    std::to_string(targets.ecal_sum.size()) + ") must have one value per sample (batch " +
                    std::to_string(batch) + ")");
  // nn's losses take (p, y, diff); the wrappers fix the overload for the template.
  auto bce = [](std::span<const float> p, std::span<const float> y, std::span<float> d) {
    return nn::binary_cross_entropy(p, y, d);
  };
  auto mape = [](std::span<const float> p, std::span<const float> y, std::span<float> d) {
    return nn::mean_absolute_percentage_error(p, y, d);
  };
  LossTerms t;
  t.real_fake = weighted_term(bce, *out.real_fake, targets.labels, weights.real_fake, grads.real_fake_);
  t.energy = weighted_term(mape, *out.energy, targets.energy, weights.energy, grads.energy_);
  grads.has_ecal_sum_ = out.ecal_sum != nullptr;
  if (out.ecal_sum)
    t.ecal_sum = weighted_term(mape, *out.ecal_sum, targets.ecal_sum, weights.ecal_sum, grads.ecal_sum_);
  t.total = weights.real_fake * t.real_fake + weights.energy * t.energy + weights.ecal_sum * t.ecal_sum;
  return t;
}

}  // namespace calo::train
