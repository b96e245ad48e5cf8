// Bremsstrahlung of e-/e+: cross section, restricted loss, emission above the photon cut.
// Physics and validation: docs/physics/electron.md.
#include <algorithm>
#include <cmath>

#include "core/units.hh"
#include "sim/em/electron/brems_cross_section.hh"
#include "sim/em/electron/electron_models.hh"
#include "sim/em/electron/quadrature.hh"

namespace calo::sim {

using namespace calo::constants;

namespace {

constexpr double kMc2 = electron_mass_c2;

/// Migdal's LPM functions in the approximations of Stanev et al. (Phys. Rev. D 25 (1982)
/// 1291), with the large-s expansions phi ~ 1 - 1/(84 s^4), G ~ 1 - 0.0231/s^4.
void lpm_functions(double s, double& g, double& phi) {
  if (s >= 1.9516) {
    const double s4 = s * s * s * s;
    phi = 1.0 - 0.0119047619 / s4;
    g = 1.0 - 0.0230655 / s4;
    return;
  }
  const double s2 = s * s, s3 = s2 * s, s4 = s2 * s2;
  phi = 1.0 - std::exp(-6.0 * s * (1.0 + (3.0 - pi) * s) + s3 / (0.623 + 0.796 * s + 0.658 * s2));
  const double psi =
      1.0 - std::exp(-4.0 * s - 8.0 * s2 / (1.0 + 3.936 * s + 4.97 * s2 - 0.05 * s3 + 7.5 * s4));
  g = std::max(0.0, 3.0 * psi - 2.0 * phi);
}

/// xi(s) of Migdal: 2 below s1, 1 above 1, logarithmic ramp between.
double lpm_xi(double s, double s1, double log_s1) {
  if (s <= s1) return 2.0;
  if (s >= 1.0) return 1.0;
  return 1.0 + std::log(s) / log_s1;
}

}  // namespace

BremsCrossSection::BremsCrossSection(const Material& material, bool /*positron*/, BremsOptions options)
    : lpm_energy_(fine_structure * kMc2 * kMc2 * material.radiation_length / (4.0 * pi * hbarc)),
      plasma_energy_(material.plasma_energy),
      options_(options) {
  for (const auto& el : material.elements) {
    Element e;
    e.n = el.atoms_per_volume;
    e.z = el.z;
    e.z13 = std::cbrt(e.z);
    e.log_z = std::log(e.z);
    e.fc = el.coulomb_correction;
    e.s1 = std::pow(e.z13 / 184.15, 2);
    e.log_s1 = std::log(e.s1);
    e.zz = std::cbrt(e.z * (e.z + 1.0));
    const double f_el = std::log(184.15) - e.log_z / 3.0, f_inel = std::log(1194.0) - 2.0 * e.log_z / 3.0;
    e.f_max = f_el - e.fc + f_inel / e.z + (1.0 + 1.0 / e.z) / 12.0;
    elements_.push_back(e);
  }
}

double BremsCrossSection::coulomb_weight(double t) {
  // Beyond the Born approximation the nuclear term is enhanced at low energy (Coulomb
  // distortion of the electron waves; the partial-wave results of Pratt et al. behind
  // Seltzer-Berger) and reduced at high energy (Davies-Bethe-Maximon f(Z)). Both are
  // O((alpha Z)^2) beyond the Elwert factor, so they are carried by f(Z) with this weight,
  // fitted to the Seltzer-Berger radiative stopping power of W from 0.2 to 50 MeV.
  constexpr double amplitude = 3.25, t_half = 2.7 * MeV, power = 1.25;
  return 1.0 - amplitude / (1.0 + std::pow(t / t_half, power));
}

double BremsCrossSection::born_ratio(double e0, double k) {
  // Units of m c^2; E0, E total energies before and after, p0, p momenta (Koch and Motz,
  // Rev. Mod. Phys. 31 (1959) 920, formula 3BN).
  const double big_e0 = e0 / kMc2, kk = k / kMc2;
  const double big_e = std::max(big_e0 - kk, 1.0 + 1e-12);
  const double p0 = std::sqrt(big_e0 * big_e0 - 1.0), p = std::sqrt(big_e * big_e - 1.0);
  const double p02 = p0 * p0, p2 = p * p, p03 = p02 * p0, p3 = p2 * p;
  const double ee = big_e0 * big_e;
  const double el = 2.0 * std::log((ee + p0 * p - 1.0) / kk);
  // ln((E+p)/(E-p)) = 2 ln(E+p), as (E+p)(E-p) = 1.
  const double eps0 = 2.0 * std::log(big_e0 + p0);
  const double eps = 2.0 * std::log(big_e + p);
  const double bracket =
      4.0 / 3.0 - 2.0 * ee * (p2 + p02) / (p2 * p02) + eps0 * big_e / p03 + eps * big_e0 / p3 -
      eps * eps0 / (p0 * p) +
      el * (8.0 * ee / (3.0 * p0 * p) + kk * kk * (ee * ee + p02 * p2) / (p03 * p3) +
            kk / (2.0 * p0 * p) *
                ((ee + p02) / p03 * eps0 - (ee + p2) / p3 * eps + 2.0 * kk * ee / (p2 * p02)));
  const double born = p / p0 * bracket;
  const double y = kk / big_e0;
  const double extreme = (4.0 / 3.0 - 4.0 / 3.0 * y + y * y) * 4.0 * (std::log(2.0 * ee / kk) - 0.5);
  return born / extreme;
}

double BremsCrossSection::elwert_factor(double e0, double k, double z) {
  const double g0 = e0 / kMc2, g = std::max(g0 - k / kMc2, 1.0 + 1e-12);
  const double beta0 = std::sqrt(1.0 - 1.0 / (g0 * g0)), beta = std::sqrt(1.0 - 1.0 / (g * g));
  const double a = 2.0 * pi * fine_structure * z;
  return beta0 / beta * (-std::expm1(-a / beta0)) / (-std::expm1(-a / beta));
}

namespace {

// G4eBremParametrizedModel's fit coefficients (Geant4 11.4.0, G4eBremParametrizedModel.cc:
// ah*, bh* above 1 MeV, al*, bl* below; each a quadratic in zz = (Z (Z+1))^(1/3)).
struct Quadratic {
  double c0, c1, c2;
  double operator()(double x) const { return c0 + x * (c1 + x * c2); }
};
constexpr Quadratic kAh[3] = {
    {4.67733, -0.619012, 2.02225e-2}, {-7.34101, 1.00462, -3.20985e-2}, {2.93119, -0.403761, 1.25153e-2}};
constexpr Quadratic kBh[3] = {
    {4.23071, -0.610995, 1.95531e-2}, {-7.12527, 0.969160, -2.74255e-2}, {2.69925, -0.363283, 9.55316e-3}};
constexpr Quadratic kAl[3] = {{-2.05398, 2.38815e-2, 5.25483e-4},
                              {-7.69748e-2, -6.91499e-2, 2.22453e-3},
                              {4.06463e-2, -1.01281e-2, 3.40919e-4}};
constexpr Quadratic kBl[3] = {{1.04133, -9.43291e-3, -4.54758e-4},
                              {0.119253, 4.07467e-2, -1.30718e-3},
                              {-1.59391e-2, 7.27752e-3, -1.94405e-4}};

// Butcher-Messel screening functions 3 Phi1 - Phi2 and (3 Phi1 - Phi2) / 2 as approximated there.
double screen1(double d) {
  return d > 1.0 ? 42.24 - 8.368 * std::log(d + 0.952) : 42.392 - d * (7.796 - 1.961 * d);
}
double screen2(double d) {
  return d > 1.0 ? 42.24 - 8.368 * std::log(d + 0.952) : 41.734 - d * (6.484 - 1.250 * d);
}

}  // namespace

double BremsCrossSection::parametrized_k_dxs_dk(double t, double k, bool clip) const {
  if (t < options_.parametrized_low_limit || !(k > 0.0 && k < t)) return 0.0;
  const double e = t + kMc2, u = std::log(t / kMc2), u2 = u * u, u3 = u2 * u;
  const double kp = plasma_energy_ * e / kMc2;
  const double dielectric = 1.0 / (1.0 + (kp / k) * (kp / k));
  double sum = 0.0;
  for (const auto& el : elements_) {
    double f;
    if (t > 1.0 * units::MeV) {
      const double ah = 1.0 + (kAh[0](el.zz) * u2 + kAh[1](el.zz) * u + kAh[2](el.zz)) / u3;
      const double bh = 0.75 + (kBh[0](el.zz) * u2 + kBh[1](el.zz) * u + kBh[2](el.zz)) / u3;
      const double eps = k / e;
      const double delta = 136.0 * kMc2 / (el.z13 * e) * eps / (1.0 - eps);
      const double fz = el.log_z * (4.0 - 0.55 * el.log_z);
      const double f1 = std::max(screen1(delta) - fz, 0.0), f2 = std::max(screen2(delta) - fz, 0.0);
      f = (f1 - eps * (ah * f1 - bh * eps * f2)) / 8.0;
    } else {
      const double ah = kAl[0](el.zz) + kAl[1](el.zz) * u + kAl[2](el.zz) * u2;
      const double bh = kBl[0](el.zz) + kBl[1](el.zz) * u + kBl[2](el.zz) * u2;
      const double x = k / t;
      f = 1.0 + x * (ah + bh * x);
    }
    f = std::max(f, 0.0);
    if (clip) f = std::min(f, el.f_max);
    sum += el.n * el.z * el.z * f;
  }
  return 16.0 / 3.0 * fine_structure * classic_electron_radius * classic_electron_radius * sum * dielectric;
}

double BremsCrossSection::k_dxs_dk_sampled(double t, double k) const {
  if (options_.geant4_parametrized && t < kLowEnergyModelMax) return parametrized_k_dxs_dk(t, k, true);
  return k_dxs_dk(t, k);
}

double BremsCrossSection::k_dxs_dk(double t, double k) const {
  if (options_.geant4_parametrized && t < kLowEnergyModelMax) return parametrized_k_dxs_dk(t, k, false);
  if (!(k > 0.0 && k < t)) return 0.0;
  const double e = t + kMc2, ep = e - k, y = k / e;
  const double screen = 100.0 * kMc2 * k / (e * ep);
  const double wc = coulomb_weight(t);
  // Dielectric suppression: k_p = gamma hbar omega_p; Gamma = 1 + (k_p/k)^2.
  const double kp = plasma_energy_ * e / kMc2;
  const double big_gamma = 1.0 + (kp / k) * (kp / k);
  const double s_prime = std::sqrt(lpm_energy_ * k / (8.0 * e * ep));
  const double shape_g = y * y, shape_phi = 2.0 * (1.0 + (1.0 - y) * (1.0 - y));
  const bool low_energy = t < kLowEnergyModelMax;

  double sum = 0.0;
  for (const auto& el : elements_) {
    const double gam = screen / el.z13, eps = screen / (el.z13 * el.z13);
    const double phi1 = 20.863 - 2.0 * std::log(1.0 + std::pow(0.55846 * gam, 2)) -
                        4.0 * (1.0 - 0.6 * std::exp(-0.9 * gam) - 0.4 * std::exp(-1.5 * gam));
    const double dphi = (2.0 / 3.0) / (1.0 + 6.5 * gam + 6.0 * gam * gam);
    const double psi1 = 28.340 - 2.0 * std::log(1.0 + std::pow(3.621 * eps, 2)) -
                        4.0 * (1.0 - 0.7 * std::exp(-8.0 * eps) - 0.3 * std::exp(-29.2 * eps));
    const double dpsi = (2.0 / 3.0) / (1.0 + 40.0 * eps + 400.0 * eps * eps);
    const double nucleus = std::max(0.0, phi1 - 4.0 / 3.0 * el.log_z - 4.0 * wc * el.fc);
    const double electrons = std::max(0.0, psi1 - 8.0 / 3.0 * el.log_z);
    // Elwert factor on the nuclear term (Coulomb field of the nucleus); none on the electrons.
    const double elwert = low_energy ? elwert_factor(e, k, el.z) : 1.0;
    const double a = el.z * el.z * nucleus * elwert + el.z * electrons;
    const double b = el.z * el.z * dphi * elwert + el.z * dpsi;
    // LPM (Migdal): s from s' through xi, then the dielectric effect scales s by Gamma.
    const double xi_p = lpm_xi(s_prime, el.s1, el.log_s1);
    const double s_hat = s_prime / std::sqrt(xi_p);
    const double xi = lpm_xi(s_hat, el.s1, el.log_s1);
    double g, phi;
    lpm_functions(s_hat * big_gamma, g, phi);
    const double term = (shape_g * g + shape_phi * phi) / 3.0 * a + (2.0 / 3.0) * (1.0 - y) * b;
    sum += el.n * xi * term / big_gamma;
  }
  const double born = low_energy ? born_ratio(e, k) : 1.0;
  return fine_structure * classic_electron_radius * classic_electron_radius * sum * born;
}

double BremsCrossSection::energy_loss(double t, double k_lo, double k_hi) const {
  k_hi = std::min(k_hi, t);
  k_lo = std::max(k_lo, 1e-9 * t);
  if (k_hi <= k_lo) return 0.0;
  const double a = std::log(k_lo), b = std::log(k_hi);
  const int n = std::max(4, static_cast<int>(3.0 * (b - a)));
  return quadrature::gauss_legendre(
      [&](double u) {
        const double k = std::exp(u);
        return k * k_dxs_dk(t, k);
      },
      a, b, n);
}

double BremsCrossSection::cross_section(double t, double k_lo, double k_hi) const {
  k_hi = std::min(k_hi, t);
  if (!(k_lo > 0.0) || k_hi <= k_lo) return 0.0;
  const double a = std::log(k_lo), b = std::log(k_hi);
  const int n = std::max(4, static_cast<int>(3.0 * (b - a)));
  return quadrature::gauss_legendre([&](double u) { return k_dxs_dk(t, std::exp(u)); }, a, b, n);
}

double radiative_stopping_power(const Material& material, double t, bool positron) {
  return BremsCrossSection(material, positron).energy_loss(t, 0.0, t);
}

// ---------------------------------------------------------------------------------------

namespace {
constexpr double kTMax = 20.0 * TeV;     // top of the sampling envelope grid
constexpr int kEnvelopeScan = 96;        // k points per envelope node
constexpr double kEnvelopeSafety = 1.2;  // covers the variation between grid nodes
}  // namespace

BremsstrahlungModel::BremsstrahlungModel(const Material& material, double photon_cut, bool positron,
                                         BremsOptions options)
    : xs_(material, positron, options), cut_(photon_cut) {
  log_t0_ = std::log(cut_);
  dlog_t_ = 0.1;
  const int n = static_cast<int>((std::log(kTMax) - log_t0_) / dlog_t_) + 2;
  envelope_.resize(n);
  for (int i = 0; i < n; ++i) {
    const double t = std::exp(log_t0_ + i * dlog_t_);
    double mx = 0.0;
    const double lk0 = std::log(cut_), lk1 = std::log(t);
    for (int j = 0; j <= kEnvelopeScan; ++j) {
      const double k = std::min(std::exp(lk0 + (lk1 - lk0) * j / kEnvelopeScan), t * (1 - 1e-9));
      mx = std::max(mx, xs_.k_dxs_dk(t, k));
    }
    envelope_[i] = mx;
  }
}

double BremsstrahlungModel::dedx(double t) const { return xs_.energy_loss(t, 0.0, std::min(cut_, t)); }

double BremsstrahlungModel::macro_xs(double t) const {
  return t > cut_ ? xs_.cross_section(t, cut_, t) : 0.0;
}

BremsSample BremsstrahlungModel::sample(double t, Rng& rng) const {
  if (!(t > cut_) || !xs_.radiates(t)) return {0.0, 1.0};
  const double x = (std::log(t) - log_t0_) / dlog_t_;
  const int i = std::clamp(static_cast<int>(x), 0, static_cast<int>(envelope_.size()) - 2);
  const double env = kEnvelopeSafety * std::max(envelope_[i], envelope_[i + 1]);
  const double log_ratio = std::log(t / cut_);
  double k;
  do {  // photon energy: ln k uniform, rejection on k dsigma/dk
    k = cut_ * std::exp(log_ratio * rng.uniform());
  } while (rng.uniform() * env > xs_.k_dxs_dk_sampled(t, k));

  // Photon angle: Tsai's approximate distribution as in Geant4's G4ModifiedTsai, u = theta E/m,
  // f(u) ~ u exp(-a u) + d u exp(-3 a u), a = 0.625, d = 27 (Geant4 PRM, "Bremsstrahlung angular
  // distribution"): the two terms hold 1/4 and 3/4 of the weight (1/a^2 against d/(9 a^2)) and
  // are Gamma(2) variates of scale 1/a = 1.6 and 1/(3a) = 0.533 (mean u = 1.6). Before
  // 2026-12-06 the scales were inverted (u / 1.6, u / 0.533: mean u = 3.1, photons twice as wide).
  const double u_max = 2.0 * (1.0 + t / electron_mass_c2);
  double u;
  do {
    const double scale = rng.uniform() < 0.25 ? 1.6 : 1.6 / 3.0;
    u = -std::log(rng.uniform() * rng.uniform()) * scale;
  } while (u > u_max);
  const double cost = 1.0 - 2.0 * u * u / (u_max * u_max);
  return {k, cost};
}

}  // namespace calo::sim
