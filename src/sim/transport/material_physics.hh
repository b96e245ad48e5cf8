#pragma once
// Everything the transport needs for one material: the interaction models (for sampling)
// and their tables on a common log-energy grid (for step lengths). Built once per run;
// read-only afterwards, so threads share it.
#include <vector>

#include "sim/em/electron/electron_models.hh"
#include "sim/em/msc/msc_models.hh"
#include "sim/em/photon/photon_models.hh"
#include "sim/transport/log_grid.hh"
#include "sim/transport/physics_config.hh"

namespace calo::sim {

/// Tables of e- or e+ in one material.
struct ChargedTables {
  GridTable dedx;             ///< restricted total stopping power (ionisation + brems) [MeV/mm]
  GridTable range;            ///< CSDA range from the restricted dE/dx [mm]
  GridTable xs_ionisation;    ///< delta rays above cut [1/mm]
  GridTable xs_brems;         ///< photons above cut [1/mm]
  GridTable xs_annihilation;  ///< e+ only (zeros for e-)
  GridTable xs_total;
  GridTable lambda1;  ///< msc transport mean free path [mm]
};

struct PhotonTables {
  GridTable xs_compton, xs_pair, xs_photoelectric, xs_total;  ///< [1/mm]
};

class MaterialPhysics {
 public:
  MaterialPhysics(const Material& material, const PhysicsConfig& config, const LogGrid& grid);

  /// Kinetic energy whose range is `range` (inverse of the range table).
  double energy_from_range(bool positron, double range) const;

  const Material& material;
  double gamma_cut, electron_cut, positron_cut;  ///< production thresholds [MeV]
  ComptonModel compton;
  PairModel pair;
  PhotoelectricModel photoelectric;
  IonisationModel ionisation_electron, ionisation_positron;
  BremsstrahlungModel brems_electron, brems_positron;
  AnnihilationModel annihilation;
  MscModel msc_electron, msc_positron;
  EnergyLossFluctuation fluctuation;
  PhotonTables photon;
  ChargedTables electron, positron;

 private:
  const LogGrid& grid_;
};

}  // namespace calo::sim
