// The observable catalogue: the 3DGAN analysis set (Khattak et al., GANutils/ecalvegan plots).
#include "physics/observables.hh"

namespace calo::physics {

const std::vector<ObservableSpec>& observable_catalogue() {
  using S = Source;
  static const std::vector<ObservableSpec> catalogue{
      {"sampled_fraction", "Sampled fraction", "E_sum / E_p", "fraction of events", false, false, false,
       false, S::scalar, kSampledFraction},
      {"longitudinal_profile", "Longitudinal profile", "layer", "mean energy [GeV]", false, true, true, false,
       S::profile, kLongitudinal},
      {"x_profile", "Transverse profile x", "x cell index", "mean energy [GeV]", false, true, true, false,
       S::profile, kTransverseX},
      {"y_profile", "Transverse profile y", "y cell index", "mean energy [GeV]", false, true, true, false,
       S::profile, kTransverseY},
      {"longitudinal_shape", "Longitudinal shape", "layer", "mean fraction of E_sum", false, true, true, true,
       S::profile, kLongitudinalShape},
      {"x_shape", "Transverse shape x", "x cell index", "mean fraction of E_sum", false, true, true, true,
       S::profile, kTransverseXShape},
      {"y_shape", "Transverse shape y", "y cell index", "mean fraction of E_sum", false, true, true, true,
       S::profile, kTransverseYShape},
      {"cell_energy_spectrum", "Single-cell energy spectrum", "cell energy [GeV]", "fraction of cells", true,
       true, false, false, S::spectrum, kSpectrum},
      {"hit_multiplicity_1e-4", "Hits above 1e-4 GeV", "cells > 1e-4 GeV", "fraction of events", false, false,
       false, false, S::scalar, kHits1e4},
      {"hit_multiplicity_3e-4", "Hits above 3e-4 GeV", "cells > 3e-4 GeV", "fraction of events", false, false,
       false, false, S::scalar, kHits3e4},
      {"hit_multiplicity_1e-3", "Hits above 1e-3 GeV", "cells > 1e-3 GeV", "fraction of events", false, false,
       false, false, S::scalar, kHits1e3},
      {"sparsity", "Sparsity vs threshold", "threshold [GeV]", "mean fraction of cells above", true, true,
       true, false, S::profile, kSparsity},
      {"max_layer", "Position of the maximum", "layer of the largest deposit", "fraction of events", false,
       false, false, true, S::scalar, kMaxLayer},
      {"moment1_x", "First moment x", "energy-weighted mean x [cells]", "fraction of events", false, false,
       false, true, S::scalar, kMoment1X},
      {"moment1_y", "First moment y", "energy-weighted mean y [cells]", "fraction of events", false, false,
       false, true, S::scalar, kMoment1Y},
      {"moment1_z", "First moment z", "energy-weighted mean layer [layers]", "fraction of events", false,
       false, false, true, S::scalar, kMoment1Z},
      {"moment2_x", "Second moment x", "energy-weighted r.m.s. width x [cells]", "fraction of events", false,
       false, false, true, S::scalar, kMoment2X},
      {"moment2_y", "Second moment y", "energy-weighted r.m.s. width y [cells]", "fraction of events", false,
       false, false, true, S::scalar, kMoment2Y},
      {"moment2_z", "Second moment z", "energy-weighted r.m.s. width z [layers]", "fraction of events", false,
       false, false, true, S::scalar, kMoment2Z},
  };
  return catalogue;
}

const ObservableSpec& fraction_vs_energy_spec() {
  static const ObservableSpec spec{"sampled_fraction_vs_energy",
                                   "Sampled fraction vs primary energy",
                                   "E_p [GeV]",
                                   "mean E_sum / E_p",
                                   false,
                                   false,
                                   true,
                                   false,
                                   Source::fraction_vs_energy,
                                   kSampledFraction};
  return spec;
}

}  // namespace calo::physics
