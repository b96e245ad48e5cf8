#pragma once
// The loss of one discriminator pass of the 3DGAN recipe (DESIGN.md section 7), Keras
// semantics (nn/losses.hh): weighted sum of BCE on the real/fake output, MAPE on the energy
// output and MAPE on the ECAL-sum output, each a mean over the batch. Gives the values (for
// logging) and the gradients d total / d output for Discriminator::backward.
#include <span>

#include "gan/discriminator.hh"
#include "nn/tensor.hh"
#include "train/step_config.hh"

namespace calo::train {

/// One pass's losses: the unweighted terms and total = the weighted sum (what Keras'
/// train_on_batch reports first).
struct LossTerms {
  float real_fake = 0;  ///< binary cross-entropy
  float energy = 0;     ///< mean absolute percentage error [%]
  float ecal_sum = 0;   ///< mean absolute percentage error [%] (0 without an ECAL-sum output)
  float total = 0;
};

/// Per-sample targets (batch B each): label 1 real / 0 generated, energy [100 GeV],
/// ECAL sum [GeV].
struct LossTargets {
  std::span<const float> labels, energy, ecal_sum;
};

/// d total / d output, in the outputs' memory layouts; reused from pass to pass.
class LossGradients {
 public:
  /// The gradients to hand to Discriminator::backward (ecal_sum null without that output).
  gan::DiscriminatorGrads view() const;

 private:
  friend LossTerms discriminator_loss(const gan::DiscriminatorOutputs&, const LossTargets&,
                                      const LossWeights&, LossGradients&);
  nn::Tensor real_fake_, energy_, ecal_sum_;
  bool has_ecal_sum_ = false;
};

/// Losses of the discriminator outputs against the targets, and their gradients into grads.
/// InputError when a target's size is not the batch.
LossTerms discriminator_loss(const gan::DiscriminatorOutputs& out, const LossTargets& targets,
                             const LossWeights& weights, LossGradients& grads);

}  // namespace calo::train
