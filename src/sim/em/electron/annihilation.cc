// Two-photon annihilation of positrons in flight: Heitler's cross section and the sampling
// of G4eeToTwoGammaModel (Geant4 Physics Reference Manual, "Positron - Electron
// Annihilation"). See docs/physics/electron.md.
#include <algorithm>
#include <cmath>

#include "core/units.hh"
#include "sim/em/electron/electron_models.hh"

namespace calo::sim {

using namespace calo::constants;

double heitler_xs_per_electron(double t) {
  if (!(t > 0.0)) return 0.0;
  const double gam = t / electron_mass_c2 + 1.0;
  const double g2m1 = gam * gam - 1.0, sq = std::sqrt(g2m1);
  return pi * classic_electron_radius * classic_electron_radius / (gam + 1.0) *
         ((gam * gam + 4.0 * gam + 1.0) / g2m1 * std::log(gam + sq) - (gam + 3.0) / sq);
}

AnnihilationModel::AnnihilationModel(const Material& material)
    : electron_density_(material.electron_density) {}

double AnnihilationModel::macro_xs(double t) const { return electron_density_ * heitler_xs_per_electron(t); }

AnnihilationSample AnnihilationModel::sample(double t, Rng& rng) const {
  const double mc2 = electron_mass_c2;
  const double tau = t / mc2, gam = tau + 1.0, tau2 = tau + 2.0;
  const double half_width = 0.5 * std::sqrt(tau / tau2);
  const double eps_min = 0.5 - half_width, eps_max = 0.5 + half_width;
  const double log_ratio = std::log(eps_max / eps_min);
  // eps = fraction of the total energy carried by photon 1: 1/eps, then rejection.
  double eps;
  do {
    eps = eps_min * std::exp(log_ratio * rng.uniform());
  } while (1.0 - eps + (2.0 * gam * eps - 1.0) / (eps * tau2 * tau2) < rng.uniform());
  const double total = t + 2.0 * mc2;
  const double p = std::sqrt(t * (t + 2.0 * mc2));
  const double e1 = eps * total, e2 = total - e1;
  // Energy-momentum conservation fixes both polar angles.
  const double cos1 = std::clamp((eps * tau2 - 1.0) / (eps * std::sqrt(tau * tau2)), -1.0, 1.0);
  const double cos2 = std::clamp((p - e1 * cos1) / e2, -1.0, 1.0);
  return {e1, cos1, e2, cos2};
}

}  // namespace calo::sim
