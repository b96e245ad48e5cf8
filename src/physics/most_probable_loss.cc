#include "physics/most_probable_loss.hh"

#include <cmath>
#include <numbers>

#include "core/error.hh"

namespace calo::physics {

double DensityEffect::delta(double beta_gamma) const {
  const double x = std::log10(beta_gamma);
  const double two_ln10 = 2 * std::numbers::ln10;
  if (x >= x1) return two_ln10 * x - cbar;
  if (x >= x0) return two_ln10 * x - cbar + a * std::pow(x1 - x, k);
  return delta0 * std::pow(10.0, 2 * (x - x0));  // conductors
}

double most_probable_loss_mev(const ThinLayer& layer, double beta_gamma) {
  CALO_VALIDATE(beta_gamma > 0 && layer.mass_thickness > 0 && layer.mean_excitation_ev > 0,
                "most probable loss: invalid layer or beta gamma");
  constexpr double kK = 0.307075;               // 4 pi N_A r_e^2 m_e c^2 [MeV mol^-1 cm^2] (PDG)
  constexpr double kElectronMass = 0.51099895;  // [MeV]
  constexpr double kJ = 0.200;
  const double bg2 = beta_gamma * beta_gamma, beta2 = bg2 / (1 + bg2);
  const double xi = 0.5 * kK * layer.z_over_a * layer.mass_thickness / beta2;  // [MeV]
  const double i_mev = layer.mean_excitation_ev * 1e-6;
  return xi * (std::log(2 * kElectronMass * bg2 / i_mev) + std::log(xi / i_mev) + kJ - beta2 -
               layer.density_effect.delta(beta_gamma));
}

ThinLayer silicon_layer(double thickness_mm) {
  ThinLayer si;
  si.z_over_a = 14 / 28.0855;
  si.mass_thickness = 2.33 * thickness_mm * 0.1;  // the density of the geometry files
  si.mean_excitation_ev = 173.0;
  si.density_effect = {.x0 = 0.2015, .x1 = 2.8716, .a = 0.14921, .k = 3.2546, .cbar = 4.4355, .delta0 = 0.14};
  return si;
}

}  // namespace calo::physics
