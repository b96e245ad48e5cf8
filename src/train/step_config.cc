#include "train/step_config.hh"

#include <cmath>
#include <string>

#include "core/error.hh"

namespace calo::train {

void validate(const StepConfig& c) {
  CALO_VALIDATE(
      c.label_flip_probability >= 0 && c.label_flip_probability <= 1,
      "label flip probability " + std::to_string(c.label_flip_probability) + " (must be in [0, 1])");
  CALO_VALIDATE(std::isfinite(c.fake_energy_min) && c.fake_energy_min > 0 &&
                    c.fake_energy_max >= c.fake_energy_min && std::isfinite(c.fake_energy_max),
                "generated energy range " + std::to_string(c.fake_energy_min) + ":" +
                    std::to_string(c.fake_energy_max) + " [100 GeV] (must be 0 < min <= max)");
  CALO_VALIDATE(std::isfinite(c.cell_scale) && c.cell_scale > 0,
                "cell scale " + std::to_string(c.cell_scale) + " (must be positive)");
  CALO_VALIDATE(c.generator_updates >= 1,
                "generator updates per step " + std::to_string(c.generator_updates) + " (must be >= 1)");
  const LossWeights& w = c.loss_weights;
  CALO_VALIDATE(w.real_fake >= 0 && w.energy >= 0 && w.ecal_sum >= 0 && std::isfinite(w.real_fake) &&
                    std::isfinite(w.energy) && std::isfinite(w.ecal_sum),
                "loss weights " + std::to_string(w.real_fake) + ":" + std::to_string(w.energy) + ":" +
                    std::to_string(w.ecal_sum) + " (must be finite and >= 0)");
}

}  // namespace calo::train
