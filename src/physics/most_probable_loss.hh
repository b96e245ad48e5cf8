#pragma once
// The most probable energy loss of a fast charged particle in a thin layer (the Landau-Vavilov
// peak), PDG Review of Particle Physics, "Passage of particles through matter", Eq. 34.12:
//   Delta_p = xi [ln(2 m c^2 beta^2 gamma^2 / I) + ln(xi / I) + j - beta^2 - delta(beta gamma)],
//   xi = (K/2) (Z/A) (x / beta^2), j = 0.200,
// with Sternheimer's parametrisation of the density effect delta. Calorimeters count hit
// energies in units of it (a "MIP"), calibrated with muons.
namespace calo::physics {

/// Sternheimer's density-effect parameters of a material (PDG atomic and nuclear properties).
struct DensityEffect {
  double x0 = 0, x1 = 0, a = 0, k = 0, cbar = 0, delta0 = 0;

  double delta(double beta_gamma) const;  ///< delta(beta gamma)
};

struct ThinLayer {
  double z_over_a = 0;            ///< <Z/A> [mol/g]
  double mass_thickness = 0;      ///< rho x [g/cm^2]
  double mean_excitation_ev = 0;  ///< I [eV]
  DensityEffect density_effect;
};

/// Delta_p [MeV] of a singly charged particle of this beta gamma crossing the layer.
double most_probable_loss_mev(const ThinLayer& layer, double beta_gamma);

/// Silicon (Z/A 14/28.0855, I = 173 eV, Sternheimer's constants from the PDG's table) of this
/// thickness.
ThinLayer silicon_layer(double thickness_mm);

}  // namespace calo::physics
