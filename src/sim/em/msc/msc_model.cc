// Multiple Coulomb scattering of e+- (condensed history). See docs/physics/msc.md.
#include <algorithm>
#include <cmath>

#include "core/error.hh"
#include "core/units.hh"
#include "sim/em/msc/lewis_moments.hh"
#include "sim/em/msc/msc_models.hh"
#include "sim/em/msc/wentzel_cross_section.hh"

namespace calo::sim {

using namespace calo::constants;

namespace {
constexpr double kTableEmin = 100.0 * eV;
constexpr double kTableEmax = 100.0 * TeV;
constexpr int kPointsPerDecade = 64;  // linear interpolation error < 1e-3
constexpr double kHighlandEnergy = 13.6 * MeV;
constexpr double kHighlandLog = 0.038;
constexpr double kMaxCoreTheta0 = 0.5;  // [rad] beyond: no Gaussian core (see msc.md)
constexpr double kTauNoScattering = 1e-12;
/// Largest z / lambda_1 accepted by geom_to_true (true path <= 13.8 lambda_1).
constexpr double kMaxGeomOverLambda = 1.0 - 1e-6;
/// Weight c of the deflection quantile in the quantile of the lateral displacement (the rest
/// is an independent uniform): c = sqrt(3)/(1 + sqrt(3)) gives the two a correlation
/// coefficient sqrt(3)/2, that of the angle and the displacement in Fermi-Eyges' theory.
constexpr double kRankWeight = 0.6339745962155614;

/// Distribution function of c v1 + (1-c) v2 for independent uniforms v1, v2 (1/2 <= c < 1):
/// maps the sum back to a uniform on (0, 1).
inline double uniform_mixture_cdf(double sum) {
  const double c = kRankWeight, d = 1.0 - kRankWeight;
  if (sum <= d) return sum * sum / (2.0 * c * d);
  if (sum >= c) return 1.0 - (1.0 - sum) * (1.0 - sum) / (2.0 * c * d);
  return (sum - 0.5 * d) / c;
}
}  // namespace

MscModel::MscModel(const Material& material, bool positron, bool urban_angular)
    : urban_angular_(urban_angular) {
  CALO_VALIDATE(!material.elements.empty() && material.radiation_length > 0,
                "msc: material '" + material.name + "' is not built (use build_material)");
  emin_ = kTableEmin;
  emax_ = kTableEmax;
  log_emin_ = std::log(emin_);
  const double decades = std::log10(emax_ / emin_);
  const int n = static_cast<int>(std::lround(decades * kPointsPerDecade)) + 1;
  inv_dlog_ = (n - 1) / std::log(emax_ / emin_);
  lambda1_.resize(n);
  ratio12_.resize(n);
  for (int i = 0; i < n; ++i) {
    const double t = std::exp(log_emin_ + i / inv_dlog_);
    double inv_l1 = 0, inv_l1_rutherford = 0, inv_l2 = 0;
    for (const auto& el : material.elements) {
      const TransportXs xs = wentzel_transport_xs(el.z, t, positron, el.molar_mass);
      inv_l1 += el.atoms_per_volume * xs.sigma1;
      inv_l1_rutherford += el.atoms_per_volume * xs.sigma1_rutherford;
      inv_l2 += el.atoms_per_volume * xs.sigma2;
    }
    lambda1_[i] = 1.0 / inv_l1;
    ratio12_[i] = inv_l2 / inv_l1_rutherford;
  }
  // Below ~10 keV in heavy elements Moliere's Coulomb-correction term (alpha Z / beta)^2
  // makes the screening angle so large that lambda_1 would grow again towards low energy;
  // lambda_1 is kept non-decreasing in energy there (docs/physics/msc.md, "Validity").
  for (int i = n - 2; i >= 0; --i) lambda1_[i] = std::min(lambda1_[i], lambda1_[i + 1]);
  inv_x0_ = 1.0 / material.radiation_length;
  urban_ = urban_angular_params(material);
  const double re2 = classic_electron_radius * classic_electron_radius;
  for (const auto& el : material.elements) {
    tail_coefficient_ +=
        el.atoms_per_volume * 2.0 * pi * el.z * (el.z + 1.0) * re2 * electron_mass_c2 * electron_mass_c2;
  }
}

double MscModel::grid_position(double t) const {
  if (!(t > emin_)) return 0.0;
  if (t >= emax_) return static_cast<double>(lambda1_.size() - 1);
  return (std::log(t) - log_emin_) * inv_dlog_;
}

double MscModel::interpolate_at(const std::vector<double>& table, double x) const {
  const std::size_t i = std::min(static_cast<std::size_t>(x), table.size() - 2);
  const double f = x - static_cast<double>(i);
  return table[i] + f * (table[i + 1] - table[i]);
}

double MscModel::interpolate(const std::vector<double>& table, double t) const {
  return interpolate_at(table, grid_position(t));
}

double MscModel::transport_mfp(double t) const { return interpolate(lambda1_, t); }

double MscModel::lambda_ratio(double t) const { return interpolate(ratio12_, t); }

double MscModel::true_to_geom(double true_length, double t) const {
  if (!(true_length > 0)) return 0.0;
  const double lambda = transport_mfp(t);
  return -lambda * std::expm1(-true_length / lambda);
}

double MscModel::geom_to_true(double geom_length, double t) const {
  if (!(geom_length > 0)) return 0.0;
  const double lambda = transport_mfp(t);
  const double ratio = std::min(geom_length / lambda, kMaxGeomOverLambda);
  return -lambda * std::log1p(-ratio);
}

// Distribution of w = 1 - cos(theta) on [0, 2] (docs/physics/msc.md, "Angular sampling"):
//   core  f_c(w) ~ exp(-w/x) on [0, w0], x = theta0^2 (Highland): a Gaussian in the angle;
//   tail  f_t(w) ~ 1/(w + b)^2 on [w0, 2] (screened-Rutherford single scattering), with
//         w0 + b = 2x so that the logarithmic slopes of core and tail agree at the junction,
//         and the junction w0 where the single-scattering density kappa/w^2 meets the core;
//   the tail weight p is solved from <w> = 1 - exp(-tau) (Lewis), so the mean is exact.
// Where no valid mixture exists (large angles, Highland outside its range, too few
// collisions) f(cos) ~ (1 + cos)^a with a = 2 <cos> / (1 - <cos>): exact mean, smooth.
// Sampled by inversion of the whole distribution (core and tail have disjoint supports), so
// the uniform used is the quantile F(w) that the lateral displacement is correlated with.
MscModel::Deflection MscModel::sample_one_minus_cos(double one_minus_mean, double s, double t_mean,
                                                    Rng& rng) const {
  const double v = rng.uniform();
  const double pc2 = t_mean * (t_mean + 2.0 * electron_mass_c2);
  const double energy = t_mean + electron_mass_c2;
  const double beta2 = pc2 / (energy * energy);
  const double pbc = pc2 / energy;  // p beta c [MeV]
  const double y = s * inv_x0_;
  const double log_factor = 1.0 + kHighlandLog * std::log(y / beta2);
  const double theta0 = kHighlandEnergy / pbc * std::sqrt(y) * log_factor;
  if (log_factor > 0.25 && theta0 < kMaxCoreTheta0) {
    // w = theta^2/2 - theta^4/24: a Gaussian of projected width theta0 has <w> ~ theta0^2 (1 - theta0^2/3)
    const double x = theta0 * theta0 * (1.0 - theta0 * theta0 / 3.0);
    const double kappa = s * tail_coefficient_ / (pc2 * beta2);  // tail density kappa / w^2
    const double junction = std::clamp(std::log(4.0 * x / kappa), 1.5, 8.0);
    const double w0 = std::min(junction * x, 1.0);
    const double e0 = std::exp(-w0 / x);
    const double mean_core = x - w0 * e0 / (1.0 - e0);
    const double b = 2.0 * x - w0;
    const double c0 = 0.5 / x;  // 1 / (w0 + b)
    const double c2 = 1.0 / (2.0 + b);
    const double norm_tail = c0 - c2;
    const double mean_tail = (std::log((2.0 + b) * c0) + b * (c2 - c0)) / norm_tail;
    const double p = (one_minus_mean - mean_core) / (mean_tail - mean_core);
    if (p >= 0.0 && p <= 1.0) {
      const double q = 1.0 - p;  // core weight: F(w0) = q
      if (v >= q) return {1.0 / (c0 - (v - q) / p * norm_tail) - b, v};
      return {-x * std::log1p(-v / q * (1.0 - e0)), v};
    }
  }
  const double mean_cos = 1.0 - one_minus_mean;
  if (mean_cos <= 0.0) return {2.0 * v, v};
  const double a = 2.0 * mean_cos / one_minus_mean;
  // F(w) = 1 - (1 - w/2)^(a+1)
  return {2.0 - 2.0 * std::exp(std::log1p(-v) / (a + 1.0)), v};
}

MscSample MscModel::sample(double s, double t_pre, double t_post, Rng& rng) const {
  if (!(s > 0)) return {{0, 0, 1}, {0, 0, 0}};
  // lambda_1 linear in the path between its pre- and post-step values: Lewis' <cos> is then
  // exp(-s / lambda_eff) with the logarithmic mean lambda_eff, and <z> has a closed form.
  const double x_pre = grid_position(t_pre);
  const double lambda_pre = interpolate_at(lambda1_, x_pre);
  const double lambda_post = t_post < t_pre ? transport_mfp(t_post) : lambda_pre;
  const double rho = lambda_post / lambda_pre;
  double lambda, tau, z;
  if (rho < 0.999) {
    lambda = lambda_pre * (1.0 - rho) / -std::log(rho);
    tau = s / lambda;
    const double alpha_lambda = (1.0 - rho) * lambda_pre / s;
    z = lambda_pre * (1.0 - rho * std::exp(-tau)) / (1.0 + alpha_lambda);
  } else {
    lambda = 0.5 * (lambda_pre + lambda_post);
    tau = s / lambda;
    z = -lambda * std::expm1(-tau);
  }
  if (tau < kTauNoScattering) return {{0, 0, 1}, {0, 0, s}};

  // Deflection: Highland core + single-scattering tail with the exact Lewis mean (default), or
  // Urban's model function (urban_angular.cc; Geant4's: its mean falls below Lewis' where its
  // tail is too heavy for the isotropic part to compensate, see docs/physics/msc.md).
  double cos_theta, rank;
  if (urban_angular_) {
    const UrbanDeflection u = sample_urban_cos_theta(urban_, s, tau, t_pre, t_post, lambda_pre, rng);
    cos_theta = u.cos_theta;
    rank = u.rank;
  } else {
    const Deflection d = sample_one_minus_cos(-std::expm1(-tau), s, 0.5 * (t_pre + t_post), rng);
    cos_theta = std::clamp(1.0 - d.w, -1.0, 1.0);
    rank = d.rank;
  }
  const double sin_theta = std::sqrt(std::max(0.0, (1.0 - cos_theta) * (1.0 + cos_theta)));
  const double phi = 2.0 * pi * rng.uniform();
  const double cos_phi = std::cos(phi), sin_phi = std::sin(phi);
  const double ux = sin_theta * cos_phi, uy = sin_theta * sin_phi;

  // Lateral displacement (docs/physics/msc.md, "Displacement"). The end point stays in the
  // sphere |d| <= s around the start with z = <z> fixed, so r = |d_perp| <= rmax =
  // sqrt(s^2 - z^2).
  const double rmax2 = std::max(0.0, (s - z) * (s + z));
  if (!(rmax2 > 0.0)) return {{ux, uy, cos_theta}, {0.0, 0.0, z}};
  // Direction: that of Fermi-Eyges' regression on the final transverse direction plus
  // uncorrelated Gaussian noise, a u_perp + sigma (g1, g2), both fixed by Lewis' <x^2+y^2>
  // and <(x,y).(u_x,u_y)>.
  const double k = interpolate_at(ratio12_, x_pre);  // lambda_ratio(t_pre)
  const double r2_lewis = lambda * lambda * lewis::lateral_r2(tau, k);
  const double sin2 = lewis::mean_sin2(tau, k);
  const double slope = lambda * lewis::lateral_correlation(tau, k) / sin2;
  const double noise = std::sqrt(std::max(0.0, 0.5 * (r2_lewis - slope * slope * sin2)));
  double ex = slope * ux + noise * rng.normal();
  double ey = slope * uy + noise * rng.normal();
  double e2 = ex * ex + ey * ey;
  if (!(e2 > 0.0)) {
    ex = cos_phi;
    ey = sin_phi;
    e2 = 1.0;
  }
  // Magnitude: r^2 = rmax^2 v^((1-f)/f), f = <r^2>_Lewis / rmax^2, has <r^2> = f rmax^2 =
  // Lewis' value exactly for any uniform v (capped at rmax^2 when Lewis exceeds the sphere).
  // v = G(c v_theta + (1-c) v'): the deflection quantile v_theta mixed with an independent
  // uniform v' and mapped back to a uniform by G, the distribution function of the mixture,
  // so that large deflections go with large displacements.
  const double f = r2_lewis / rmax2;
  double r2 = rmax2;
  if (f < 1.0) {
    const double sum = kRankWeight * rank + (1.0 - kRankWeight) * rng.uniform();
    r2 *= std::exp(std::log(uniform_mixture_cdf(sum)) * ((1.0 - f) / f));
  }
  const double scale = std::sqrt(r2 / e2);
  const double dx = ex * scale, dy = ey * scale;
  return {{ux, uy, cos_theta}, {dx, dy, z}};
}

}  // namespace calo::sim
