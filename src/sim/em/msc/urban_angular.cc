// Urban's msc angular distribution; formulas and constants of G4UrbanMscModel (Geant4 11),
// documented in the Geant4 Physics Reference Manual ("Multiple scattering", Urban model) and
// L. Urban, CERN-OPEN-2006-077. See docs/physics/msc.md.
#include "sim/em/msc/urban_angular.hh"

#include <algorithm>
#include <cmath>

#include "core/units.hh"

namespace calo::sim {

using constants::electron_mass_c2;

namespace {
constexpr double kTauSmall = 1e-16;
constexpr double kTauBig = 8.0;          // beyond: isotropic
constexpr double kNumLim = 0.01;         // series of <cos> below this tau
constexpr double kTheta0Max = M_PI / 6;  // [rad] wider central parts: two-function model
constexpr double kRelLossMax = 0.5;      // steps losing more: two-function model
constexpr double kLambdaLimit = 1.0 * units::mm;
constexpr double kTlimitMinFix = 1e-5 * units::um;  // 0.01 nm
constexpr double kHighland = 13.6 * units::MeV;

/// 1 / (p beta c) [1/MeV] at kinetic energy t [MeV].
double inv_beta_cp(double t) { return (t + electron_mass_c2) / (t * (t + 2.0 * electron_mass_c2)); }

/// Urban's "simple scattering": p (a+1)/2^(a+1) (1+u)^a + (1-p)/2 with the exact Lewis <cos>
/// and <cos^2> (used where the central-part model does not apply).
UrbanDeflection simple_scattering(double xmean, double x2mean, Rng& rng) {
  const double a = (2.0 * xmean + 9.0 * x2mean - 3.0) / (2.0 * xmean - 3.0 * x2mean + 1.0);
  const double prob = (a + 2.0) * xmean / a;
  const double r0 = rng.uniform(), r1 = rng.uniform();
  const double cth = r0 < prob ? -1.0 + 2.0 * std::exp(std::log(r1) / (a + 1.0)) : -1.0 + 2.0 * r1;
  const double w = 1.0 - cth;  // rank = F(w) of the mixture
  const double rank = prob * (1.0 - std::pow(std::max(0.0, 1.0 - 0.5 * w), a + 1.0)) + (1.0 - prob) * 0.5 * w;
  return {cth, rank};
}
}  // namespace

UrbanAngularParams urban_angular_params(const Material& material) {
  // Z_eff as Geant4's G4IonisParamMat: the mass-fraction-weighted Z.
  double zeff = 0;
  for (const auto& el : material.elements) zeff += el.mass_fraction * el.z;
  UrbanAngularParams p;
  const double w = std::exp(std::log(zeff) / 6.0);
  const double facz = 0.990395 + w * (-0.168386 + w * 0.093286);
  p.coeffth1 = facz * (1.0 - 8.7780e-2 / zeff);
  p.coeffth2 = facz * (4.0780e-2 + 1.7315e-4 * zeff);
  const double z13 = w * w;
  p.coeffc1 = 2.3785 - 4.1981e-1 * z13 + 6.3100e-2 * z13 * z13;
  p.coeffc2 = 4.7526e-1 + 1.7694 * z13 - 3.3885e-1 * z13 * z13;
  p.coeffc3 = 2.3683e-1 - 1.8111 * z13 + 3.2774e-1 * z13 * z13;
  p.coeffc4 = 1.7888e-2 + 1.9659e-2 * z13 - 2.6664e-3 * z13 * z13;
  p.z23 = z13 * z13;
  p.stepmina = 27.725 / (1.0 + 0.203 * zeff);
  p.stepminb = 6.152 / (1.0 + 0.111 * zeff);
  p.radiation_length = material.radiation_length;
  return p;
}

UrbanDeflection sample_urban_cos_theta(const UrbanAngularParams& p, double s, double tau, double t_pre,
                                       double t_post, double lambda_pre, Rng& rng) {
  if (tau >= kTauBig) {
    const double u = rng.uniform();
    return {-1.0 + 2.0 * u, u};
  }
  if (tau < kTauSmall) return {1.0, rng.uniform()};
  double xmeanth, x2meanth;  // Lewis <cos>, and Urban's <cos^2> = (1 + 2 exp(-2.5 tau)) / 3
  if (tau < kNumLim) {
    xmeanth = 1.0 - tau * (1.0 - 0.5 * tau);
    x2meanth = 1.0 - tau * (5.0 - 6.25 * tau) / 3.0;
  } else {
    xmeanth = std::exp(-tau);
    x2meanth = (1.0 + 2.0 * std::exp(-2.5 * tau)) / 3.0;
  }
  if (1.0 - t_post / t_pre > kRelLossMax) return simple_scattering(xmeanth, x2meanth, rng);

  // Smallest step of the model (Urban's tlimitmin, e-): below it theta0 scales as sqrt(s).
  const double rat = t_pre / units::MeV;
  const double stepmin = lambda_pre * 1e-3 / (2e-3 + rat * (p.stepmina + p.stepminb * rat));
  const double tlimitmin = std::max(0.87 * p.z23 * stepmin, kTlimitMinFix);
  const double tsmall = std::min(tlimitmin, kLambdaLimit);
  auto theta0_of = [&](double len) {
    // Highland's form with Urban's Z-dependent correction from e- scattering data.
    const double y = len / p.radiation_length;
    const double invbcp = std::sqrt(inv_beta_cp(t_pre) * inv_beta_cp(t_post));
    return kHighland * std::sqrt(y) * invbcp * (p.coeffth1 + p.coeffth2 * std::log(y));
  };
  const bool extreme_small = !(s > tsmall);
  const double theta0 = extreme_small ? std::sqrt(s / tsmall) * theta0_of(tsmall) : theta0_of(s);
  const double theta2 = theta0 * theta0;
  if (theta2 < kTauSmall) return {1.0, rng.uniform()};
  if (theta0 > kTheta0Max) return simple_scattering(xmeanth, x2meanth, rng);

  double x = theta2 * (1.0 - theta2 / 12.0);
  if (theta2 > kNumLim) {
    const double sth = 2.0 * std::sin(0.5 * theta0);
    x = sth * sth;
  }
  // Tail exponent: Urban's fit in tau^(1/6) and ln(lambda / X0).
  const double u = std::exp(std::log(extreme_small ? tsmall / lambda_pre : tau) / 6.0);
  const double xx = std::log(s / tau / p.radiation_length);
  const double xsi = std::max(p.coeffc1 + u * (p.coeffc2 + p.coeffc3 * u) + p.coeffc4 * xx, 1.9);
  double c = xsi;
  if (std::fabs(c - 3.0) < 0.001)
    c = 3.001;
  else if (std::fabs(c - 2.0) < 0.001)
    c = 2.001;
  const double c1 = c - 1.0;
  const double ea = std::exp(-xsi);
  const double eaa = 1.0 - ea;
  const double xmean1 = 1.0 - (1.0 - (1.0 + xsi) * ea) * x / eaa;
  if (xmean1 <= 0.999 * xmeanth) return simple_scattering(xmeanth, x2meanth, rng);
  const double x0 = 1.0 - xsi * x;
  // f1 ~ exp(-(1-u)/x) on [x0, 1]; f2 ~ 1/(b-u)^c on [-1, x0], continuous with f1 and its slope
  const double b = 1.0 + (c - xsi) * x;
  const double b1 = b + 1.0;
  const double bx = c * x;
  const double eb1 = std::exp(std::log(b1) * c1);
  const double ebx = std::exp(std::log(bx) * c1);
  const double d = ebx / eb1;
  const double xmean2 = (x0 + d - (bx - b1 * d) / (c - 2.0)) / (1.0 - d);
  const double f1x0 = ea / eaa;
  const double f2x0 = c1 / (c * (1.0 - d));
  const double prob = f2x0 / (f1x0 + f2x0);
  // the isotropic part 1 - qprob makes <cos> exact
  const double qprob = xmeanth / (prob * xmean1 + (1.0 - prob) * xmean2);

  double cth;
  const double r0 = rng.uniform(), r1 = rng.uniform();
  if (r0 < qprob) {
    if (r1 < prob) {
      cth = 1.0 + std::log(ea + rng.uniform() * eaa) * x;
    } else {
      double var = (1.0 - d) * rng.uniform();
      if (var < kNumLim * d) {
        var /= (d * c1);
        cth = -1.0 + var * (1.0 - 0.5 * var * c) * (2.0 + (c - xsi) * x);
      } else {
        cth = 1.0 + x * (c - xsi - c * std::exp(-std::log(var + d) / c1));
      }
    }
  } else {
    cth = -1.0 + 2.0 * r1;
  }
  // Quantile of w = 1 - cth in the mixture (for the displacement correlation):
  // F1(w) = (1 - e^(-w/x)) / eaa on [0, xsi x]; F2 from the inversion above; isotropic w/2.
  const double w = 1.0 - cth;
  const double f1 = std::min(1.0, -std::expm1(-w / x) / eaa);
  double f2 = 0.0;
  if (w > xsi * x) {
    const double arg = (w / x + c - xsi) / c;  // = (var + d)^(-1/c1)
    const double var = std::exp(-c1 * std::log(arg)) - d;
    f2 = std::clamp((1.0 - d - var) / (1.0 - d), 0.0, 1.0);
  }
  const double rank = qprob * (prob * f1 + (1.0 - prob) * f2) + (1.0 - qprob) * 0.5 * w;
  return {std::clamp(cth, -1.0, 1.0), std::clamp(rank, 0.0, 1.0)};
}

}  // namespace calo::sim
