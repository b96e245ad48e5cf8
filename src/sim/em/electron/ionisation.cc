// Ionisation of e-/e+: restricted Berger-Seltzer stopping power (ICRU Report 37; Geant4
// Physics Reference Manual, "Ionisation" of e-/e+) with the Sternheimer density effect;
// Moller (e-) and Bhabha (e+) delta rays above the cut. See docs/physics/electron.md.
#include <algorithm>
#include <cmath>

#include "core/units.hh"
#include "sim/em/electron/electron_models.hh"

namespace calo::sim {

using namespace calo::constants;

namespace {

constexpr double kMc2 = electron_mass_c2;
constexpr double kTwoPiMc2Re2 = 2.0 * pi * kMc2 * classic_electron_radius * classic_electron_radius;

struct DensityEffect {
  double cbar, x0, x1, a, m;
  double delta0 = 0.0;  // conductors: delta(x < x0) = delta0 10^(2 (x - x0))
};

/// Density-effect parameters that Sternheimer, Berger and Seltzer (At. Data Nucl. Data Tables
/// 30 (1984) 261) fitted to their exact oscillator calculation, for the elements this project
/// has them for (the PDG "Atomic and nuclear properties" pages list the same numbers; they are
/// what ESTAR and Geant4's G4DensityEffectData use for G4_Si and G4_W). Used for a pure element
/// whose I is the table's; any other material takes Sternheimer-Peierls' general formula.
struct TabulatedDensityEffect {
  int z;
  double i_ev;
  DensityEffect d;
};
constexpr TabulatedDensityEffect kSternheimer1984[] = {
    {14, 173.0, {4.4355, 0.2014, 2.8715, 0.14921, 3.2546, 0.14}},
    {74, 727.0, {5.4059, 0.2167, 3.4960, 0.15509, 2.8447, 0.14}},
};

/// Sternheimer-Peierls general prescription (Phys. Rev. B 3 (1971) 3681) for condensed
/// media, from I and hbar omega_p: Cbar = 2 ln(I / hbar omega_p) + 1, m = 3.
DensityEffect sternheimer_peierls(const Material& mat) {
  DensityEffect d;
  d.cbar = 2.0 * std::log(mat.mean_excitation / mat.plasma_energy) + 1.0;
  d.m = 3.0;
  if (mat.density < 0.01 * units::g_per_cm3) {  // gases (at NTP)
    if (d.cbar < 10.0) {
      d.x0 = 1.6;
      d.x1 = 4.0;
    } else if (d.cbar < 10.5) {
      d.x0 = 1.7;
      d.x1 = 4.0;
    } else if (d.cbar < 11.0) {
      d.x0 = 1.8;
      d.x1 = 4.0;
    } else if (d.cbar < 11.5) {
      d.x0 = 1.9;
      d.x1 = 4.0;
    } else if (d.cbar < 12.25) {
      d.x0 = 2.0;
      d.x1 = 4.0;
    } else if (d.cbar < 13.804) {
      d.x0 = 2.0;
      d.x1 = 5.0;
    } else {
      d.x0 = 0.326 * d.cbar - 2.5;
      d.x1 = 5.0;
    }
  } else if (mat.mean_excitation < 100.0 * eV) {
    d.x1 = 2.0;
    d.x0 = d.cbar < 3.681 ? 0.2 : 0.326 * d.cbar - 1.0;
  } else {
    d.x1 = 3.0;
    d.x0 = d.cbar < 5.215 ? 0.2 : 0.326 * d.cbar - 1.5;
  }
  d.a = (d.cbar - 4.6052 * d.x0) / std::pow(d.x1 - d.x0, d.m);
  return d;
}

/// The tabulated parameters of a pure element with the table's I, if any.
const DensityEffect* tabulated_density_effect(const Material& mat) {
  if (mat.elements.size() != 1) return nullptr;
  for (const auto& t : kSternheimer1984)
    if (t.z == mat.elements[0].z && std::abs(mat.mean_excitation / (t.i_ev * eV) - 1.0) < 0.01) return &t.d;
  return nullptr;
}

/// delta(x), x = log10(beta gamma).
double density_delta(double x, double cbar, double x0, double x1, double a, double m, double delta0) {
  if (x < x0) return delta0 > 0.0 ? delta0 * std::pow(10.0, 2.0 * (x - x0)) : 0.0;
  const double d = 4.6052 * x - cbar;
  return x < x1 ? d + a * std::pow(x1 - x, m) : d;
}

/// Berger-Seltzer restricted stopping number (the bracket of the Geant4 PRM formula) at
/// kinetic energy t with maximal delta-ray energy `cut` (already limited to T/2 or T).
double stopping_bracket(double t, double cut, double log_i, bool positron) {
  const double tau = t / kMc2, gam = tau + 1.0, gamma2 = gam * gam;
  const double beta2 = tau * (tau + 2.0) / gamma2;
  const double d = cut / kMc2;
  const double common = std::log(2.0 * (tau + 2.0)) - 2.0 * log_i;
  if (!positron) {
    return common - 1.0 - beta2 + std::log((tau - d) * d) + tau / (tau - d) +
           (0.5 * d * d + (2.0 * tau + 1.0) * std::log(1.0 - d / tau)) / gamma2;
  }
  const double d2 = d * d * 0.5, d3 = d2 * d / 1.5, d4 = d3 * d * 0.75;
  const double y = 1.0 / (1.0 + gam);
  return common + std::log(tau * d) -
         beta2 * (tau + 2.0 * d - y * (3.0 * d2 + y * (d - d3 + y * (d2 - tau * d3 + d4)))) / tau;
}

}  // namespace

IonisationModel::IonisationModel(const Material& material, double delta_cut, bool positron)
    : electron_density_(material.electron_density),
      log_i_(std::log(material.mean_excitation / kMc2)),
      cut_(delta_cut),
      positron_(positron),
      low_limit_(0.25 * std::sqrt(material.z_eff) * keV) {
  const DensityEffect* tab = tabulated_density_effect(material);
  const DensityEffect d = tab ? *tab : sternheimer_peierls(material);
  delta0_ = d.delta0;
  cbar_ = d.cbar;
  x0_ = d.x0;
  x1_ = d.x1;
  a_ = d.a;
  m_ = d.m;
}

double IonisationModel::dedx(double t) const {
  if (!(t > 0.0)) return 0.0;
  // Below low_limit_ the formula is evaluated at low_limit_ and scaled (Geant4-style
  // low-energy form): ~ 1/sqrt(T) just below it, ~ sqrt(T) as T -> 0.
  const double te = std::max(t, low_limit_);
  const double tau = te / kMc2, gam = tau + 1.0;
  const double beta2 = tau * (tau + 2.0) / (gam * gam);
  const double max_transfer = positron_ ? te : 0.5 * te;
  const double cut = std::min(cut_, max_transfer);
  const double x = std::log10(std::sqrt(tau * (tau + 2.0)));
  double bracket =
      stopping_bracket(te, cut, log_i_, positron_) - density_delta(x, cbar_, x0_, x1_, a_, m_, delta0_);
  double result = std::max(0.0, kTwoPiMc2Re2 * electron_density_ * bracket / beta2);
  if (t < low_limit_) {
    const double r = t / low_limit_;
    result *= r > 0.25 ? 1.0 / std::sqrt(r) : 1.4 * std::sqrt(r) / (0.1 + r);
  }
  return result;
}

double collision_stopping_power(const Material& material, double t, bool positron) {
  // Unrestricted: the cut is the kinematic maximum.
  return IonisationModel(material, 1e30, positron).dedx(t);
}

double IonisationModel::macro_xs(double t) const {
  const double t_max = positron_ ? t : 0.5 * t;
  if (!(t_max > cut_)) return 0.0;
  const double tau = t / kMc2, gam = tau + 1.0, gamma2 = gam * gam;
  const double beta2 = tau * (tau + 2.0) / gamma2;
  const double xmin = cut_ / t, xmax = t_max / t;
  double cross;
  if (!positron_) {  // Moller, integrated over x = delta energy / t in [xmin, 1/2]
    const double gg = (2.0 * gam - 1.0) / gamma2;
    cross = ((xmax - xmin) * (1.0 - gg + 1.0 / (xmin * xmax) + 1.0 / ((1.0 - xmin) * (1.0 - xmax))) -
             gg * std::log(xmax * (1.0 - xmin) / (xmin * (1.0 - xmax)))) /
            beta2;
  } else {  // Bhabha over [xmin, 1]
    const double y = 1.0 / (1.0 + gam), y2 = y * y, y12 = 1.0 - 2.0 * y;
    const double b1 = 2.0 - y2, b2 = y12 * (3.0 + y2), b4 = y12 * y12 * y12, b3 = b4 + y12 * y12;
    cross = (xmax - xmin) * (1.0 / (beta2 * xmin * xmax) + b2 - 0.5 * b3 * (xmin + xmax) +
                             b4 * (xmin * xmin + xmin * xmax + xmax * xmax) / 3.0) -
            b1 * std::log(xmax / xmin);
  }
  return std::max(0.0, cross) * kTwoPiMc2Re2 * electron_density_ / t;
}

double IonisationModel::sample_delta_energy(double t, Rng& rng) const {
  const double t_max = positron_ ? t : 0.5 * t;
  if (!(t_max > cut_)) return 0.0;
  const double tau = t / kMc2, gam = tau + 1.0, gamma2 = gam * gam;
  const double beta2 = tau * (tau + 2.0) / gamma2;
  const double xmin = cut_ / t, xmax = t_max / t;
  // x from 1/x^2 on [xmin, xmax], then rejection on x^2 dsigma/dx normalised to its maximum.
  auto draw = [&] {
    const double q = rng.uniform();
    return xmin * xmax / (xmin * (1.0 - q) + xmax * q);
  };
  double x;
  if (!positron_) {
    const double gg = (2.0 * gam - 1.0) / gamma2;
    auto shape = [gg](double v) {
      const double w = 1.0 - v;
      return 1.0 - gg * v + v * v * (1.0 - gg + (1.0 - gg * w) / (w * w));
    };
    const double bound = std::max(shape(xmin), shape(xmax));  // convex on [0, 1/2]
    do x = draw();
    while (rng.uniform() * bound > shape(x));
  } else {
    const double y = 1.0 / (1.0 + gam), y2 = y * y, y12 = 1.0 - 2.0 * y;
    const double b1 = 2.0 - y2, b2 = y12 * (3.0 + y2), b4 = y12 * y12 * y12, b3 = b4 + y12 * y12;
    // 1 - beta^2 x (B1 - x (B2 - x (B3 - x B4))) <= 1: the bracket is >= 0 on [0, 1].
    do x = draw();
    while (rng.uniform() > 1.0 - beta2 * x * (b1 - x * (b2 - x * (b3 - x * b4))));
  }
  return x * t;
}

}  // namespace calo::sim
