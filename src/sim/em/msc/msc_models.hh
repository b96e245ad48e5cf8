#pragma once
// Multiple scattering and energy-loss fluctuations of e+-: condensed-history step
// physics. Built once per material; called every charged step (hot loop).
#include "core/rng.hh"
#include "core/vec3.hh"
#include "sim/material/material.hh"

namespace calo::sim {

struct MscSample {
  Vec3 direction;     ///< new unit direction, in the frame whose z axis is the pre-step direction
  Vec3 displacement;  ///< end point minus start point, same frame; |displacement| <= true step
};

/// Multiple Coulomb scattering (Highland/Urban-style condensed history): angular deflection
/// with the right mean <cos theta> = exp(-t/lambda_1) and Highland width for small steps,
/// correlated lateral displacement, and the true-path <-> geometric-path conversion.
class MscModel {
 public:
  MscModel(const Material& material, bool positron);
  double transport_mfp(double t) const;  ///< first transport mean free path lambda_1 [mm]
  /// Mean geometric (straight-line) length of a true path `true_length` started at energy t.
  double true_to_geom(double true_length, double t) const;
  /// Inverse of true_to_geom.
  double geom_to_true(double geom_length, double t) const;
  /// Deflection and displacement after true path `true_length`, pre-step energy t_pre and
  /// post-step energy t_post.
  MscSample sample(double true_length, double t_pre, double t_post, Rng& rng) const;
};

/// Energy-loss fluctuations along a step (Urban/Geant4 universal-fluctuation style: Gaussian
/// for thick absorbers, excitation + ionisation collisions for thin ones).
class EnergyLossFluctuation {
 public:
  explicit EnergyLossFluctuation(const Material& material);
  /// Actual loss [MeV] for mean restricted loss `mean_loss` over `step` [mm] at kinetic
  /// energy t with delta-ray cut `delta_cut`; result in [0, t].
  double sample(double mean_loss, double t, double step, double delta_cut, Rng& rng) const;
};

}  // namespace calo::sim
