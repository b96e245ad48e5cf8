// Energy-loss fluctuations: unbiased mean, Bohr variance for thick layers, Landau-like shape
// and most probable value for a thin Si layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/units.hh"
#include "msc_test_util.hh"
#include "sim/em/msc/msc_models.hh"

namespace calo::sim {
namespace {

using namespace calo::constants;

struct Moments {
  double mean = 0, variance = 0, error = 0;  ///< error: statistical error of the mean
};

Moments moments(const std::vector<double>& v) {
  double s = 0, s2 = 0;
  for (double x : v) {
    s += x;
    s2 += x * x;
  }
  Moments m;
  m.mean = s / v.size();
  m.variance = s2 / v.size() - m.mean * m.mean;
  m.error = std::sqrt(m.variance / v.size());
  return m;
}

std::vector<double> sample_many(const EnergyLossFluctuation& f, double mean, double t, double step,
                                double cut, int n, std::uint64_t seed) {
  Rng rng(seed, 0);
  std::vector<double> v(n);
  for (auto& x : v) {
    x = f.sample(mean, t, step, cut, rng);
    EXPECT_GE(x, 0.0);
    EXPECT_LE(x, t);
  }
  return v;
}

/// Bohr variance 2 pi r_e^2 m c^2 n_el (T_cut / beta^2)(1 - beta^2/2) x (Geant4 PRM,
/// "Fluctuations in thick absorbers"; PDG eq. for the Gaussian limit).
double bohr_variance(const Material& m, double t, double step, double cut) {
  const double beta2 = test::beta2_of(t);
  return 2.0 * pi * classic_electron_radius * classic_electron_radius * electron_mass_c2 *
         m.electron_density * (cut / beta2) * (1.0 - 0.5 * beta2) * step;
}

// Thick: 100 MeV e- in 10 mm Si with a 10 keV cut, mean restricted loss 3 MeV (an input;
// its exact value does not matter here): mean >= 10 x cut, Gaussian regime.
TEST(Fluctuation, ThickLayerIsBohrGaussian) {
  const Material si = test::silicon();
  const EnergyLossFluctuation f(si);
  const double t = 100.0, step = 10.0, cut = 0.01, mean = 3.0;
  const Moments m = moments(sample_many(f, mean, t, step, cut, 400000, 11));
  EXPECT_NEAR(m.mean, mean, 4.0 * m.error);
  EXPECT_NEAR(m.variance / bohr_variance(si, t, step, cut), 1.0, 0.02);
}

// Thick but with sigma > mean/2: Gamma distribution with Bohr's variance, positive.
TEST(Fluctuation, ThickLayerGammaWhenGaussianWouldBeNegative) {
  const Material w = test::tungsten();
  const EnergyLossFluctuation f(w);
  const double t = 0.5, step = 1.0, cut = 0.001;
  const double var = bohr_variance(w, t, step, cut);
  const double mean = 1.3 * std::sqrt(var);
  ASSERT_GE(mean, 10.0 * cut);  // Bohr regime
  const Moments m = moments(sample_many(f, mean, t, step, cut, 400000, 12));
  EXPECT_NEAR(m.mean, mean, 4.0 * m.error);
  EXPECT_NEAR(m.variance / var, 1.0, 0.03);
}

/// Mean restricted loss of a singly charged particle (PDG RPP 2022, "Passage of particles
/// through matter", eq. 34.7, with the high-energy density effect of eq. 34.6 limit
/// delta = 2 ln(hbar omega_p / I) + 2 ln(beta gamma) - 1): the thin-layer input.
double restricted_loss(const Material& m, double t, double step, double cut) {
  const double beta2 = test::beta2_of(t), bg2 = test::pc2_of(t) / (electron_mass_c2 * electron_mass_c2);
  const double i = m.mean_excitation;
  const double delta = 2.0 * std::log(m.plasma_energy / i) + std::log(bg2) - 1.0;
  const double k_ne = 2.0 * pi * classic_electron_radius * classic_electron_radius * electron_mass_c2 *
                      m.electron_density;  // K/2 Z/A rho [MeV/mm]
  return k_ne / beta2 * step *
         (std::log(2.0 * electron_mass_c2 * bg2 * cut / (i * i)) - beta2 * (1.0 + cut / (0.5 * t)) - delta);
}

// Thin: 1 GeV e- through 0.3 mm Si, delta cut 400 keV.
TEST(Fluctuation, ThinSiliconLandauLikeWithBichselMostProbableValue) {
  const Material si = test::silicon();
  const EnergyLossFluctuation f(si);
  const double t = 1000.0, step = 0.3, cut = 0.4;
  const double mean = restricted_loss(si, t, step, cut);
  ASSERT_GT(mean, 0.09);
  ASSERT_LT(mean, 0.12);
  const std::vector<double> v = sample_many(f, mean, t, step, cut, 1000000, 13);
  const Moments m = moments(v);
  EXPECT_NEAR(m.mean, mean, 4.0 * m.error);

  // Mode: 1 keV bins, 7-bin moving average.
  const int bins = 400;
  std::vector<double> h(bins, 0.0);
  for (double x : v)
    if (x < bins * keV) h[static_cast<int>(x / keV)] += 1.0;
  int best = 3;
  double best_value = 0;
  for (int b = 3; b < bins - 3; ++b) {
    double s = 0;
    for (int j = -3; j <= 3; ++j) s += h[b + j];
    if (s > best_value) {
      best_value = s;
      best = b;
    }
  }
  const double mode = (best + 0.5) * keV;

  // Landau-Vavilov-Bichsel most probable loss (PDG RPP 2022 eq. 34.12, j = 0.200, which the
  // PDG notes agrees with Bichsel's calculation for Si, Fig. 34.8):
  // Delta_p = xi [ln(2 m c^2 beta^2 gamma^2 / I) + ln(xi / I) + j - beta^2 - delta],
  // xi = (K/2) (Z/A) rho x / beta^2. For these inputs 84 keV.
  const double beta2 = test::beta2_of(t), bg2 = test::pc2_of(t) / (electron_mass_c2 * electron_mass_c2);
  const double i = si.mean_excitation;
  const double xi = 2.0 * pi * classic_electron_radius * classic_electron_radius * electron_mass_c2 *
                    si.electron_density * step / beta2;
  const double delta = 2.0 * std::log(si.plasma_energy / i) + std::log(bg2) - 1.0;
  const double mpv =
      xi * (std::log(2.0 * electron_mass_c2 * bg2 / i) + std::log(xi / i) + 0.200 - beta2 - delta);
  EXPECT_NEAR(mpv, 84.0 * keV, 2.0 * keV);  // the reference itself
  EXPECT_LT(mode, 0.9 * m.mean);            // Landau-like skew: mode well below the mean
  EXPECT_NEAR(mode / mpv, 1.0, 0.12) << "mode " << mode << " MPV " << mpv;
  // Long upper tail: many more events far above the mean than far below it.
  const auto above = std::count_if(v.begin(), v.end(), [&](double x) { return x > 2.0 * mean; });
  const auto below = std::count_if(v.begin(), v.end(), [&](double x) { return x < 0.5 * mean; });
  EXPECT_GT(above, 5 * below);
}

// Thin W plate of the CLIC stack: 2.4 mm, 1 GeV e-, cut 1 MeV (mean from eq. 34.7).
TEST(Fluctuation, ThinTungstenMeanPreserved) {
  const Material w = test::tungsten();
  const EnergyLossFluctuation f(w);
  const double t = 1000.0, step = 2.4, cut = 1.0;
  const double mean = restricted_loss(w, t, step, cut);
  const Moments m = moments(sample_many(f, mean, t, step, cut, 400000, 14));
  EXPECT_NEAR(m.mean, mean, 4.0 * m.error);
  EXPECT_GT(m.variance, 0.0);
}

// Low energy end of a track: loss clamped to [0, T]; mean kept while far from T.
TEST(Fluctuation, ClampedToKineticEnergy) {
  const Material si = test::silicon();
  const EnergyLossFluctuation f(si);
  Rng rng(1, 2);
  EXPECT_EQ(f.sample(0.2, 0.1, 0.1, 0.05, rng), 0.1);  // mean above T: all of it
  EXPECT_EQ(f.sample(0.0, 1.0, 0.1, 0.05, rng), 0.0);
  EXPECT_EQ(f.sample(1e-6, 1.0, 1e-4, 0.05, rng), 1e-6);  // below 10 eV: no fluctuation
  const double t = 0.3, mean = 0.03;
  const Moments m = moments(sample_many(f, mean, t, 0.1, 0.1, 200000, 15));
  EXPECT_NEAR(m.mean, mean, 4.0 * m.error);
}

}  // namespace
}  // namespace calo::sim
