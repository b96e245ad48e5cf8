#include "physics/calice_prototype.hh"

#include "core/error.hh"
#include "physics/most_probable_loss.hh"

namespace calo::physics::calice {

double mip_gev() { return most_probable_loss_mev(silicon_layer(0.525), 100) * 1e-3; }

LayerWeightedSum reconstruction(std::size_t layers, double threshold_mip) {
  CALO_VALIDATE(layers > 0 && layers % 3 == 0,
                "the CALICE reconstruction needs three modules of equal layer counts");
  CALO_VALIDATE(threshold_mip >= 0, "invalid hit threshold (must be >= 0 MIP)");
  LayerWeightedSum reco;
  reco.cell_threshold = threshold_mip * mip_gev();
  for (std::size_t l = 0; l < layers; ++l) reco.layer_weights.push_back(double(1 + 3 * l / layers));
  return reco;
}

}  // namespace calo::physics::calice
