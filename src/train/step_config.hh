#pragma once
// StepConfig: every choice of the 3DGAN training step (DESIGN.md section 7), defaults as
// the original recipe. Issue 12's `calo3dgan train` fills it from its options.
#include <cstdint>

#include "train/ecal_sum_fit.hh"

namespace calo::train {

/// Weights of the three discriminator losses: BCE (real/fake), MAPE (energy), MAPE (ECAL sum).
struct LossWeights {
  float real_fake = 6.f;
  float energy = 0.2f;
  float ecal_sum = 0.1f;
  bool operator==(const LossWeights&) const = default;
};

struct StepConfig {
  LossWeights loss_weights;
  /// Probability that a discriminator label (real 1, generated 0) is flipped.
  double label_flip_probability = 0.05;
  /// Energies of the generated batch, uniform in [min, max) [100 GeV].
  double fake_energy_min = 0.1;
  double fake_energy_max = 5.0;
  /// Generator updates through the frozen discriminator per step.
  int generator_updates = 2;
  /// ECAL-sum targets of generated showers; training should fit them on its data
  /// (EcalSumFit::fit), the public 3DGAN fit is the original's choice.
  EcalSumFit ecal_sum_fit = EcalSumFit::public_fit();
  /// The networks' cell unit in GeV^-1 (TrainerOptions::cell_scale): the images are in
  /// GeV x cell_scale, so the ECAL-sum targets (a fit in GeV) are multiplied by it.
  double cell_scale = 1;
};

/// InputError naming the bad field ("label flip probability 1.5 (must be in [0, 1])").
void validate(const StepConfig& config);

}  // namespace calo::train
