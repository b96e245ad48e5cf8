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

TransportXs wentzel_transport_xs(int z, double t, bool positron) {
  double pc2, beta2;
  kinematics(t, pc2, beta2);
  const double a = moliere_screening(z, t);
  const double mc2 = electron_mass_c2;
  // dsigma/dmu = pi K / (mu + A)^2 with mu = (1 - cos)/2 in [0, 1].
  const double k =
      double(z) * (z + 1) * classic_electron_radius * classic_electron_radius * mc2 * mc2 / (pc2 * beta2);
  // Moments int_0^1 mu^n / (mu + A)^2 dmu in closed form (n = 1, 2, 3/2).
  const double log_term = std::log1p(1.0 / a);
  const double i1 = log_term - 1.0 / (1.0 + a);
  const double i2 = 1.0 - 2.0 * a * log_term + a / (1.0 + a);
  const double sa = std::sqrt(a);
  const double i3 = 2.0 * (1.0 - 1.5 * sa * std::atan(1.0 / sa) + 0.5 * a / (1.0 + a));
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
