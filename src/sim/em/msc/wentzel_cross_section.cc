#include "sim/em/msc/wentzel_cross_section.hh"

#include <algorithm>
#include <cmath>

#include "core/units.hh"

namespace calo::sim {

using namespace calo::constants;

namespace {
/// (p c)^2 and beta^2 of an electron of kinetic energy t [MeV].
void kinematics(double t, double& pc2, double& beta2) {
  pc2 = t * (t + 2.0 * electron_mass_c2);
  const double e = t + electron_mass_c2;
  beta2 = pc2 / (e * e);
}
}  // namespace

double moliere_screening(int z, double t) {
  double pc2, beta2;
  kinematics(t, pc2, beta2);
  const double bohr_radius = classic_electron_radius / (fine_structure * fine_structure);
  const double a_tf = 0.88534 * bohr_radius * std::cbrt(1.0 / z);  // [mm]
  const double az = fine_structure * z;
  return hbarc * hbarc / (4.0 * pc2 * a_tf * a_tf) * (1.13 + 3.76 * az * az / beta2);
}

TransportXs wentzel_transport_xs(int z, double t, bool positron, double mass_number) {
  double pc2, beta2;
  kinematics(t, pc2, beta2);
  const double a = moliere_screening(z, t);
  const double mc2 = electron_mass_c2;
  // dsigma/dmu = pi K F(mu) / (mu + A)^2 with mu = (1 - cos)/2 in [0, 1].
  const double k =
      double(z) * (z + 1) * classic_electron_radius * classic_electron_radius * mc2 * mc2 / (pc2 * beta2);
  // Nuclear size: F = 1 / (1 + q^2 R^2 / 12)^2 (the dipole form factor of an exponential
  // charge density, R = 1.27 A^0.27 fm; Butkevich et al., NIM A 488 (2002) 282, as in
  // Geant4's G4WentzelOKandVIxSection), q^2 = 4 p^2 mu: F = 1 / (1 + b mu)^2 with
  // b = p^2 R^2 / (3 (hbar c)^2). It matters above ~10 MeV in W, where the point-nucleus
  // single-scattering tail would otherwise dominate sigma_1 (docs/physics/msc.md, section 1).
  const double radius = 1.27e-12 * std::pow(mass_number, 0.27);  // [mm]
  const double b = mass_number > 0 ? pc2 * radius * radius / (3.0 * hbarc * hbarc) : 0.0;
  // Moments int_0^1 mu^n F(mu) / (mu + A)^2 dmu (n = 1, 2, 3/2): closed forms for a point
  // nucleus; with F, Gauss-Legendre in u = ln(mu + A), where mu^n / (mu + A) du is smooth.
  double i1, i2, i3;
  if (b < 1e-6) {
    const double log_term = std::log1p(1.0 / a);
    i1 = log_term - 1.0 / (1.0 + a);
    i2 = 1.0 - 2.0 * a * log_term + a / (1.0 + a);
    const double sa = std::sqrt(a);
    i3 = 2.0 * (1.0 - 1.5 * sa * std::atan(1.0 / sa) + 0.5 * a / (1.0 + a));
  } else {
    static constexpr double x8[4] = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267,
                                     0.9602898564975363};
    static constexpr double w8[4] = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745,
                                     0.1012285362903763};
    const double u0 = std::log(a), u1 = std::log1p(a);
    const int panels = 48;
    const double h = (u1 - u0) / panels;
    i1 = i2 = i3 = 0;
    for (int p = 0; p < panels; ++p) {
      const double mid = u0 + (p + 0.5) * h;
      for (int j = 0; j < 8; ++j) {
        const double u = mid + 0.5 * h * (j < 4 ? -x8[j] : x8[j - 4]);
        const double w = 0.5 * h * w8[j < 4 ? j : j - 4];
        const double e = std::exp(u);
        const double mu = std::max(e - a, 0.0);
        const double f = 1.0 / (1.0 + b * mu);
        const double g = w * mu / e * f * f;  // mu F / (mu + A) du = mu F / (mu + A)^2 dmu
        i1 += g;
        i2 += g * mu;
        i3 += g * std::sqrt(mu);
      }
    }
  }
  // McKinley-Feshbach factor 1 - beta^2 mu +/- pi alpha Z beta (sqrt(mu) - mu).
  const double charge_term = pi * fine_structure * z * std::sqrt(beta2) * (i3 - i2);
  double bracket = i1 - beta2 * i2 + (positron ? -charge_term : charge_term);
  bracket = std::max(bracket, 0.1 * i1);  // the first-order factor must not go negative
  TransportXs xs;
  xs.sigma1 = 2.0 * pi * k * bracket;
  // 1 - P2(cos) = 6 mu (1 - mu)
  xs.sigma2 = 6.0 * pi * k * (i1 - i2);
  xs.sigma1_rutherford = 2.0 * pi * k * i1;
  return xs;
}

}  // namespace calo::sim
