#pragma once
// The CALICE Si-W ECAL physics prototype's electron measurement and its energy reconstruction
// (docs/physics.md "CALICE"; data/geometry/calice_si_w_prototype.json): the numbers the Monte
// Carlo is compared with by `calo3dgan bench calice` and tests/sim/transport.
#include <cstddef>

#include "physics/energy_resolution.hh"

namespace calo::physics::calice {

// CALICE collaboration, NIM A 608 (2009) 372, arXiv:0811.2354 (abstract): electrons of 6 to 45
// GeV at CERN in 2006; sigma/E = (16.6 +- 0.1) % / sqrt(E/GeV) (+) (1.1 +- 0.1) %, response
// linear to within about 1 %.
inline constexpr double kStochastic = 0.166, kStochasticError = 0.001;
inline constexpr double kConstant = 0.011, kConstantError = 0.001;
inline constexpr double kLinearity = 0.01;
inline constexpr double kLowestEnergyGeV = 6, kHighestEnergyGeV = 45;

/// A MIP in GeV: the most probable deposit of a beta gamma = 100 muon (the calibration beams)
/// in the 525 um pads (most_probable_loss.hh).
double mip_gev();

/// Hits above threshold_mip MIPs; each layer weighted by its tungsten, 1 : 2 : 3 in the three
/// modules of layers / 3 layers (1.4, 2.8, 4.2 mm plates). The sum is in GeV (cells' unit).
LayerWeightedSum reconstruction(std::size_t layers, double threshold_mip);

}  // namespace calo::physics::calice
