// Compton scattering on free electrons: Klein-Nishina (Geant4 Physics Reference Manual,
// "Compton scattering", standard model; Butcher & Messel, Nucl. Phys. 20 (1960) 15).
#include <algorithm>
#include <cmath>

#include "core/units.hh"
#include "sim/em/photon/photon_models.hh"

namespace calo::sim {

using namespace calo::constants;

double klein_nishina_xs_per_electron(double k) {
  if (k <= 0) return thomson_xs;
  const double x = k / electron_mass_c2;
  if (x < 1e-3) {  // series, avoids the cancellation of the closed form
    return thomson_xs * (1.0 + x * (-2.0 + x * (26.0 / 5.0 + x * (-133.0 / 10.0))));
  }
  const double l = std::log1p(2.0 * x);
  const double a = 1.0 + 2.0 * x;
  const double bracket =
      (1.0 + x) / (x * x) * (2.0 * (1.0 + x) / a - l / x) + l / (2.0 * x) - (1.0 + 3.0 * x) / (a * a);
  return 2.0 * pi * classic_electron_radius * classic_electron_radius * bracket;
}

ComptonModel::ComptonModel(const Material& material) : electron_density_(material.electron_density) {}

double ComptonModel::macro_xs(double k) const { return electron_density_ * klein_nishina_xs_per_electron(k); }

/// Composition-rejection in eps = k'/k: f(eps) = [1/eps + eps][1 - eps sin^2/(1+eps^2)],
/// the two parts 1/eps and eps sampled in proportion to their integrals.
ComptonSample ComptonModel::sample(double k, Rng& rng) const {
  const double x = k / electron_mass_c2;
  const double eps0 = 1.0 / (1.0 + 2.0 * x);
  const double eps0_sq = eps0 * eps0;
  const double alpha1 = -std::log(eps0);
  const double alpha2 = 0.5 * (1.0 - eps0_sq);
  double eps, one_minus_cos;
  for (;;) {
    double eps_sq;
    if (alpha1 > (alpha1 + alpha2) * rng.uniform()) {
      eps = std::exp(-alpha1 * rng.uniform());
      eps_sq = eps * eps;
    } else {
      eps_sq = eps0_sq + (1.0 - eps0_sq) * rng.uniform();
      eps = std::sqrt(eps_sq);
    }
    one_minus_cos = (1.0 - eps) / (eps * x);
    const double sin_sq = one_minus_cos * (2.0 - one_minus_cos);
    const double g = 1.0 - eps * sin_sq / (1.0 + eps_sq);
    if (g >= rng.uniform()) break;
  }
  ComptonSample s;
  s.photon_energy = eps * k;
  s.photon_cos = std::clamp(1.0 - one_minus_cos, -1.0, 1.0);
  s.electron_energy = k - s.photon_energy;
  // momentum balance along the photon axis: p_e cos(theta_e) = k - k' cos(theta)
  const double t = s.electron_energy;
  const double pe = std::sqrt(t * (t + 2.0 * electron_mass_c2));
  s.electron_cos = pe > 0 ? std::clamp((k - s.photon_energy * s.photon_cos) / pe, -1.0, 1.0) : 1.0;
  return s;
}

}  // namespace calo::sim
