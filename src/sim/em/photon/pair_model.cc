// e+e- pair production by photons (Geant4 Physics Reference Manual, "Gamma conversion into
// an electron-positron pair"; Butcher & Messel, Nucl. Phys. 20 (1960) 15; Tsai, Rev. Mod.
// Phys. 46 (1974) 815). See docs/physics/photon.md for the choices made near threshold.
#include <algorithm>
#include <cmath>

#include "core/units.hh"
#include "sim/em/photon/photon_models.hh"

namespace calo::sim {

using namespace calo::constants;

namespace {

constexpr double kTwoMass = 2.0 * electron_mass_c2;

/// Butcher-Messel fits of the Thomas-Fermi screening functions phi1, phi2 of the screening
/// variable delta = 136 m Z^(-1/3) / (k eps (1 - eps)).
double phi1(double d) {
  return d > 1.0 ? 21.12 - 4.184 * std::log(d + 0.952) : 20.867 - d * (3.242 - 0.625 * d);
}
double phi2(double d) {
  return d > 1.0 ? 21.12 - 4.184 * std::log(d + 0.952) : 20.209 - d * (1.930 + 0.086 * d);
}
/// The two rejection functions of the Butcher-Messel scheme.
double screen_a(double d) { return 3.0 * phi1(d) - phi2(d); }
double screen_c(double d) { return 1.5 * phi1(d) + 0.5 * phi2(d); }

/// Radiation logarithm L_rad (Tsai's values for Z <= 4, Thomas-Fermi otherwise).
double l_rad(int z) {
  static constexpr double light[] = {0, 5.31, 4.79, 4.74, 4.71};
  return z <= 4 ? light[z] : std::log(184.15 / std::cbrt(double(z)));
}

/// Screened Bethe-Heitler with Coulomb correction, integrated over the energy sharing.
/// The pair production in the field of the atomic electrons is included as Z(Z + xi) with
/// xi = L'_rad / (L_rad - f), so that the complete-screening limit is Tsai's 7/(9 X0).
double screened_bethe_heitler(int z, double k) {
  const double eps0 = electron_mass_c2 / k;
  const double fz = coulomb_correction(z);
  const double cbrt_z = std::cbrt(double(z));
  const double log_z3 = std::log(double(z)) / 3.0;
  const double l_rad_prime = tsai_radiation_logs(z) / z - z * (l_rad(z) - fz);
  const double xi = l_rad_prime / (l_rad(z) - fz);
  // d sigma / d eps = 4 alpha re^2 Z(Z+xi) {[eps^2+(1-eps)^2](phi1/4 - lnZ/3 - f)
  //                                          + 2/3 eps(1-eps)(phi2/4 - lnZ/3 - f)}
  auto integrand = [&](double e) {
    const double e1 = e * (1.0 - e);
    const double d = 136.0 * eps0 / (cbrt_z * e1);
    const double p1 = phi1(d), p2 = phi2(d);
    const double t1 = std::max(0.25 * p1 - log_z3 - fz, 0.0);
    const double t2 = std::max(0.25 * p2 - log_z3 - fz, 0.0);
    return (e * e + (1.0 - e) * (1.0 - e)) * t1 + 2.0 / 3.0 * e1 * t2;
  };
  // symmetric in eps <-> 1 - eps: twice the integral over [eps0, 1/2], composite Simpson
  const int n = 256;
  const double h = (0.5 - eps0) / n;
  double sum = integrand(eps0) + integrand(0.5);
  for (int i = 1; i < n; ++i) sum += (i % 2 ? 4.0 : 2.0) * integrand(eps0 + i * h);
  const double integral = 2.0 * sum * h / 3.0;
  return 4.0 * fine_structure * classic_electron_radius * classic_electron_radius * z * (z + xi) * integral;
}

/// Empirical fit of the total (nuclear + electron field) pair cross section of Hubbell,
/// Gimm & Overbo (J. Phys. Chem. Ref. Data 9 (1980) 1023), valid 1.5 MeV - 100 GeV, as
/// given in the Geant4 Physics Reference Manual: sigma = (Z+1)Z [F1(X) + F2(X) Z + F3(X)/Z],
/// X = ln(k / m c^2), F_i polynomials of degree 5 [microbarn].
double hubbell_fit(int z, double k) {
  static constexpr double a[] = {8.7842e+2, -1.9625e+3, 1.2949e+3, -2.0028e+2, 1.2575e+1, -2.8333e-1};
  static constexpr double b[] = {-1.0342e+1, 1.7692e+1, -8.2381, 1.3063, -9.0815e-2, 2.3586e-3};
  static constexpr double c[] = {-4.5263e+2, 1.1161e+3, -8.6749e+2, 2.1773e+2, -2.0467e+1, 6.5372e-1};
  const double x = std::log(k / electron_mass_c2);
  double f1 = 0, f2 = 0, f3 = 0;
  for (int i = 5; i >= 0; --i) {
    f1 = f1 * x + a[i];
    f2 = f2 * x + b[i];
    f3 = f3 * x + c[i];
  }
  const double zz = z;
  return std::max((zz + 1.0) * zz * (f1 + f2 * zz + f3 / zz), 0.0) * 1e-6 * barn;
}

constexpr double kFitLow = 1.5 * MeV;   // below: threshold power law
constexpr double kBlendLow = 20 * MeV;  // fit only below, Bethe-Heitler only above kBlendHigh
constexpr double kBlendHigh = 80 * MeV;

/// Angle of a lepton of total energy e: theta = u m/E with f(u) ~ u exp(-a u) + d u exp(-3 a u),
/// a = 0.625, d = 27 (Tsai's approximation as used in the Geant4 PRM).
double sample_lepton_cos(double e, Rng& rng) {
  const double uu = -std::log(rng.uniform() * rng.uniform());
  const double u = rng.uniform() < 0.25 ? uu / 0.625 : uu / (3.0 * 0.625);
  return std::cos(std::min(u * electron_mass_c2 / e, pi));
}

constexpr int kPerDecade = 50;
constexpr double kTableMax = 100 * TeV;

}  // namespace

double pair_xs_per_atom(int z, double k) {
  if (k <= kTwoMass || z <= 0) return 0.0;
  if (k < kFitLow) {
    // Near threshold the Born cross section rises as (k - 2m)^3 (Maximon 1968); the Coulomb
    // field of high-Z nuclei softens this. Exponent fitted to XCOM at 1.25 MeV (Si: 2.25, W: 2.04).
    const double n = 2.3 - 0.0035 * z;
    return hubbell_fit(z, kFitLow) * std::pow((k - kTwoMass) / (kFitLow - kTwoMass), n);
  }
  if (k <= kBlendLow) return hubbell_fit(z, k);
  if (k >= kBlendHigh) return screened_bethe_heitler(z, k);
  const double w = std::log(k / kBlendLow) / std::log(kBlendHigh / kBlendLow);
  return std::exp((1.0 - w) * std::log(hubbell_fit(z, k)) + w * std::log(screened_bethe_heitler(z, k)));
}

PairModel::PairModel(const Material& material) {
  for (const auto& el : material.elements) {
    elements_.push_back(
        {el.z, el.atoms_per_volume, el.coulomb_correction, std::cbrt(double(el.z)), std::log(double(el.z))});
  }
  const int n_grid = int(std::ceil(std::log10(kTableMax / kTwoMass) * kPerDecade)) + 1;
  log_k0_ = std::log(kTwoMass);
  inv_dlog_ = kPerDecade / std::log(10.0);
  const std::size_t n_el = elements_.size();
  macro_.assign(n_grid, 0.0);
  partial_.assign(n_grid * n_el, 0.0);
  for (int i = 0; i < n_grid; ++i) {
    const double k = std::exp(log_k0_ + i / inv_dlog_);
    double cum = 0;
    for (std::size_t j = 0; j < n_el; ++j) {
      cum += elements_[j].n * pair_xs_per_atom(elements_[j].z, k);
      partial_[i * n_el + j] = cum;
    }
    macro_[i] = cum;
  }
}

double PairModel::macro_xs(double k) const {
  if (k <= kTwoMass) return 0.0;
  const double x = (std::log(k) - log_k0_) * inv_dlog_;
  const int last = int(macro_.size()) - 1;
  const int i = std::min(int(x), last - 1);
  const double w = std::min(x - i, 1.0);
  return (1.0 - w) * macro_[i] + w * macro_[i + 1];
}

PairSample PairModel::sample(double k, Rng& rng) const {
  // element: by the partial macroscopic cross sections at k
  const std::size_t n_el = elements_.size();
  std::size_t chosen = 0;
  if (n_el > 1) {
    const double x = std::max((std::log(k) - log_k0_) * inv_dlog_, 0.0);
    const int last = int(macro_.size()) - 1;
    const int i = std::min(int(x), last - 1);
    const double w = std::min(x - i, 1.0);
    const double* lo = &partial_[i * n_el];
    const double* hi = &partial_[(i + 1) * n_el];
    const double target = rng.uniform() * ((1.0 - w) * lo[n_el - 1] + w * hi[n_el - 1]);
    while (chosen + 1 < n_el && (1.0 - w) * lo[chosen] + w * hi[chosen] < target) ++chosen;
  }
  const Element& el = elements_[chosen];

  // energy sharing: eps = total energy of one lepton / k (Butcher-Messel composition-rejection)
  const double eps0 = electron_mass_c2 / k;
  double eps;
  if (k < 2.0 * MeV) {
    eps = eps0 + (0.5 - eps0) * rng.uniform();
  } else {
    const double f = 8.0 / 3.0 * el.log_z + (k > 50 * MeV ? 8.0 * el.coulomb : 0.0);
    const double screen_max = std::exp((42.24 - f) / 8.368) - 0.952;
    const double screen_min = 4.0 * 136.0 / el.cbrt_z * eps0;
    const double eps1 = screen_min < screen_max ? 0.5 - 0.5 * std::sqrt(1.0 - screen_min / screen_max) : 0.5;
    const double eps_min = std::max(eps0, eps1);
    const double range = 0.5 - eps_min;
    const double f10 = screen_a(screen_min) - f;
    const double f20 = screen_c(screen_min) - f;
    const double norm1 = std::max(f10 * range * range, 0.0);
    const double norm2 = std::max(1.5 * f20, 0.0);
    if (range <= 0 || norm1 + norm2 <= 0) {
      eps = eps0 + (0.5 - eps0) * rng.uniform();
    } else {
      for (;;) {
        double g;
        if (norm1 > (norm1 + norm2) * rng.uniform()) {
          eps = 0.5 - range * std::cbrt(rng.uniform());
          const double d = 136.0 * eps0 / (el.cbrt_z * eps * (1.0 - eps));
          g = (screen_a(d) - f) / f10;
        } else {
          eps = eps_min + range * rng.uniform();
          const double d = 136.0 * eps0 / (el.cbrt_z * eps * (1.0 - eps));
          g = (screen_c(d) - f) / f20;
        }
        if (rng.uniform() <= g) break;
      }
    }
  }
  if (rng.uniform() < 0.5) eps = 1.0 - eps;  // which lepton gets eps
  const double e_minus = eps * k, e_plus = (1.0 - eps) * k;
  PairSample s;
  s.electron_energy = std::max(e_minus - electron_mass_c2, 0.0);
  s.positron_energy = std::max(k - kTwoMass - s.electron_energy, 0.0);
  s.electron_cos = sample_lepton_cos(e_minus, rng);
  s.positron_cos = sample_lepton_cos(e_plus, rng);
  return s;
}

}  // namespace calo::sim
