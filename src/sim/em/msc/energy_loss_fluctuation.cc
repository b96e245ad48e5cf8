// Energy-loss fluctuations of e+- along a condensed-history step: Bohr (Gaussian/Gamma) for
// thick layers, Urban's two-level-atom collision model for thin ones (Geant4 Physics
// Reference Manual, "Fluctuations in Energy Loss"; K. Lassila-Perini, L. Urban, NIM A 362
// (1995) 416). See docs/physics/msc.md.
#include <algorithm>
#include <cmath>

#include "core/error.hh"
#include "core/units.hh"
#include "sim/em/msc/msc_models.hh"
#include "sim/em/msc/random_gamma.hh"

namespace calo::sim {

using namespace calo::constants;

namespace {
constexpr double kMinLoss = 10.0 * eV;           // below: no fluctuation (a single excitation)
constexpr double kBohrCollisions = 10.0;         // mean loss >= this x cut: Bohr regime
constexpr double kIonisationRate = 0.55;         // share of the mean loss in ionisation (PRM)
constexpr double kExcitationLevel2 = 10.0 * eV;  // E2 = 10 eV Z^2 (PRM)
constexpr double kCountedCollisions = 10.0;      // hardest ionisations sampled one by one
constexpr double kContinuousExcitations = 16.0;  // above: Gamma for the excitation sum

/// Loss from a Poisson number (mean `count`) of excitations of energy `level`: for a few,
/// the integer count smeared uniformly by +-1 level (mean kept); for many, a Gamma with the
/// compound-Poisson mean and variance.
double sample_excitation(double count, double level, Rng& rng) {
  if (!(count > 0.0)) return 0.0;
  if (count > kContinuousExcitations) return sample_gamma(count, rng) * level;
  const long n = rng.poisson(count);
  if (n == 0) return 0.0;
  return (static_cast<double>(n) + 1.0 - 2.0 * rng.uniform()) * level;
}
}  // namespace

EnergyLossFluctuation::EnergyLossFluctuation(const Material& material) {
  CALO_VALIDATE(
      material.electron_density > 0 && material.mean_excitation > 0,
      "energy-loss fluctuation: material '" + material.name + "' is not built (use build_material)");
  bohr_factor_ = 2.0 * pi * classic_electron_radius * classic_electron_radius * electron_mass_c2 *
                 material.electron_density;
  ipot_ = material.mean_excitation;
  log_ipot_ = std::log(ipot_);
  const double z = material.z_eff;
  f2_ = z > 2.0 ? 2.0 / z : 0.0;
  f1_ = 1.0 - f2_;
  e2_ = kExcitationLevel2 * z * z;
  log_e2_ = std::log(e2_);
  log_e1_ = (log_ipot_ - f2_ * log_e2_) / f1_;  // f1 ln E1 + f2 ln E2 = ln I
  e1_ = std::exp(log_e1_);
}

double EnergyLossFluctuation::sample(double mean_loss, double t, double step, double delta_cut,
                                     Rng& rng) const {
  if (!(mean_loss > 0.0) || !(t > 0.0)) return 0.0;
  if (mean_loss >= t) return t;
  if (mean_loss < kMinLoss) return mean_loss;
  const double cut = delta_cut > 0.0 ? std::min(delta_cut, t) : t;
  const double gamma = 1.0 + t / electron_mass_c2;
  const double gamma2 = gamma * gamma;
  const double beta2 = 1.0 - 1.0 / gamma2;
  double loss;
  if (mean_loss >= kBohrCollisions * cut || cut <= ipot_) {
    const double variance = bohr_factor_ * step * (cut / beta2) * (1.0 - 0.5 * beta2);
    loss = sample_bohr(mean_loss, variance, rng);
  } else {
    loss = sample_thin(mean_loss, beta2, gamma2, cut, rng);
  }
  return std::min(loss, t);
}

// Bohr's Gaussian, truncated symmetrically to [0, 2 mean] (mean kept) when it is at least two
// standard deviations from zero; otherwise a Gamma with the same mean and variance.
double EnergyLossFluctuation::sample_bohr(double mean_loss, double variance, Rng& rng) const {
  if (!(variance > 0.0)) return mean_loss;
  const double sigma = std::sqrt(variance);
  if (mean_loss >= 2.0 * sigma) {
    double loss;
    do {
      loss = mean_loss + sigma * rng.normal();
    } while (loss < 0.0 || loss > 2.0 * mean_loss);
    return loss;
  }
  return sample_gamma_mean_var(mean_loss, variance, rng);
}

// Urban's model: the atom has two excitation levels E1, E2 (oscillator strengths f1, f2) and
// an ionisation continuum with the free-electron 1/E^2 spectrum on [I, I + cut]. Collision
// numbers are Poisson with means fixed so that the mean loss is exactly mean_loss:
//   a_i = (1 - r) mean f_i / E_i (ln(2 m c^2 beta^2 gamma^2 / E_i) - beta^2)
//                                / (ln(2 m c^2 beta^2 gamma^2 / I) - beta^2),   i = 1, 2
//   ionisation carries the rest (r = 0.55 of the mean).
// The softest ionisations, when there are many, are summed as one Gamma variate with the
// compound-Poisson mean and variance; the kCountedCollisions hardest ones (which make the
// Landau tail) are sampled one by one.
double EnergyLossFluctuation::sample_thin(double mean_loss, double beta2, double gamma2, double cut,
                                          Rng& rng) const {
  const double log_x = std::log(2.0 * electron_mass_c2 * beta2 * gamma2);
  const double log_denominator = log_x - log_ipot_ - beta2;
  double a1 = 0.0, a2 = 0.0;
  if (log_denominator > 0.0) {
    const double share = (1.0 - kIonisationRate) * mean_loss / log_denominator;
    a1 = share * f1_ / e1_ * std::max(0.0, log_x - log_e1_ - beta2);
    a2 = share * f2_ / e2_ * std::max(0.0, log_x - log_e2_ - beta2);
  }
  const double ionisation_mean = std::max(0.0, mean_loss - a1 * e1_ - a2 * e2_);
  double loss = sample_excitation(a1, e1_, rng) + sample_excitation(a2, e2_, rng);
  if (!(ionisation_mean > 0.0)) return loss;

  const double upper = ipot_ + cut;
  const double inv_lower = 1.0 / ipot_, inv_upper = 1.0 / upper;
  const double mean_energy = ipot_ * upper / cut * std::log(upper / ipot_);
  const double count = ionisation_mean / mean_energy;
  double inv_split = inv_lower;  // 1 / (lowest energy sampled collision by collision)
  double counted = count;
  if (count > kCountedCollisions) {
    inv_split = inv_upper + kCountedCollisions / count * (inv_lower - inv_upper);
    const double soft = count - kCountedCollisions;
    const double norm = inv_lower - inv_split;
    const double e_mean = std::log(inv_lower / inv_split) / norm;
    const double e2_mean = (1.0 / inv_split - ipot_) / norm;
    loss += sample_gamma_mean_var(soft * e_mean, soft * e2_mean, rng);
    counted = kCountedCollisions;
  }
  const long n = rng.poisson(counted);
  const double span = inv_split - inv_upper;
  for (long i = 0; i < n; ++i) loss += 1.0 / (inv_split - rng.uniform() * span);
  return loss;
}

}  // namespace calo::sim
