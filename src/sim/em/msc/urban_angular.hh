#pragma once
// Urban's angular distribution of multiple scattering (L. Urban, CERN-OPEN-2006-077; Geant4
// Physics Reference Manual, "Urban model": G4UrbanMscModel::SampleCosineTheta). A model
// function fixed by the Lewis moments and by fits to electron scattering data, valid at every
// step length: a Gaussian-like central part, a single-scattering-like power tail and an
// isotropic part; steps with large angles use two functions fixed by <cos> and <cos^2>.
#include "core/rng.hh"
#include "sim/material/material.hh"

namespace calo::sim {

/// Per-material constants of the Urban model (G4UrbanMscModel::InitialiseModelCache).
struct UrbanAngularParams {
  double coeffth1 = 0, coeffth2 = 0;                          ///< theta0 = Highland x (th1 + th2 ln(s/X0))
  double coeffc1 = 0, coeffc2 = 0, coeffc3 = 0, coeffc4 = 0;  ///< tail exponent xsi
  double stepmina = 0, stepminb = 0;                          ///< smallest step of the model [lambda_1]
  double z23 = 0;                                             ///< Z_eff^(2/3)
  double radiation_length = 0;                                ///< X0 [mm]
};

UrbanAngularParams urban_angular_params(const Material& material);

struct UrbanDeflection {
  double cos_theta;
  double rank;  ///< F(1 - cos theta): the quantile of the sampled deflection, uniform on (0, 1)
};

/// Samples cos(theta) after true path s [mm] with tau = s / lambda_eff (lambda_eff [mm] the
/// mean lambda_1 over the step), at pre-/post-step kinetic energies t_pre, t_post [MeV].
UrbanDeflection sample_urban_cos_theta(const UrbanAngularParams& p, double s, double tau, double t_pre,
                                       double t_post, double lambda_pre, Rng& rng);

}  // namespace calo::sim
