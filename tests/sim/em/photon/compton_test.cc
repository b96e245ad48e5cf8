// Klein-Nishina: total cross section against an independent numerical integration of the
// differential cross section, and the sampled eps = k'/k against the same density.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sim/em/photon/photon_models.hh"
#include "test_materials.hh"

using namespace calo;
using namespace calo::sim;
using namespace calo::constants;

namespace {
/// d sigma / d eps per electron (textbook KN in eps = k'/k), eps in [1/(1+2x), 1].
double kn_dsigma_deps(double x, double eps) {
  const double cos_t = 1.0 - (1.0 - eps) / (eps * x);
  const double sin2 = 1.0 - cos_t * cos_t;
  return pi * classic_electron_radius * classic_electron_radius / x * (1.0 / eps + eps - sin2);
}
/// Midpoint rule in ln(eps) (the density peaks as 1/eps at eps0 for large x).
double kn_integral(double x, double a, double b, int n = 20000) {
  const double h = std::log(b / a) / n;
  double s = 0;
  for (int i = 0; i < n; ++i) {
    const double e = a * std::exp((i + 0.5) * h);
    s += kn_dsigma_deps(x, e) * e;
  }
  return s * h;
}
}  // namespace

TEST(Compton, ThomsonLimit) { EXPECT_NEAR(klein_nishina_xs_per_electron(1e-6 * MeV) / barn, 0.6652, 0.0005); }

TEST(Compton, TotalMatchesIntegratedDifferential) {
  for (double k : {0.01, 0.1, 0.511, 1.0, 10.0, 1000.0}) {
    const double x = k / electron_mass_c2;
    const double ref = kn_integral(x, 1.0 / (1.0 + 2.0 * x), 1.0);
    EXPECT_NEAR(klein_nishina_xs_per_electron(k) / ref, 1.0, 1e-4) << "k=" << k;
  }
  // published value (e.g. Evans, The Atomic Nucleus): 0.2112 b per electron at 1 MeV
  EXPECT_NEAR(klein_nishina_xs_per_electron(1.0) / barn, 0.2112, 0.0005);
}

TEST(Compton, MacroIsElectronDensityTimesKn) {
  const auto w = test::pure("W", 19.3);
  ComptonModel model(w);
  EXPECT_NEAR(model.macro_xs(1.0) / (w.electron_density * klein_nishina_xs_per_electron(1.0)), 1.0, 1e-12);
}

TEST(Compton, SampledEpsilonFollowsKleinNishina) {
  const auto si = test::pure("Si", 2.33);
  ComptonModel model(si);
  Rng rng(12345, 0);
  for (double k : {0.05, 1.0, 100.0}) {
    const double x = k / electron_mass_c2;
    const double e0 = 1.0 / (1.0 + 2.0 * x);
    const int bins = 20, n = 200000;
    std::vector<double> hist(bins, 0.0);
    for (int i = 0; i < n; ++i) {
      const auto s = model.sample(k, rng);
      ASSERT_NEAR(s.photon_energy + s.electron_energy, k, 1e-12 * k);
      ASSERT_GE(s.photon_cos, -1.0);
      ASSERT_LE(s.electron_cos, 1.0);
      const double eps = s.photon_energy / k;
      ASSERT_GE(eps, e0 * (1 - 1e-12));
      // Compton relation k' = k / (1 + x (1 - cos))
      ASSERT_NEAR(s.photon_energy, k / (1.0 + x * (1.0 - s.photon_cos)), 1e-9 * k);
      hist[std::min(int((eps - e0) / (1.0 - e0) * bins), bins - 1)] += 1;
    }
    const double total = kn_integral(x, e0, 1.0);
    double chi2 = 0;
    for (int b = 0; b < bins; ++b) {
      const double lo = e0 + (1.0 - e0) * b / bins, hi = e0 + (1.0 - e0) * (b + 1) / bins;
      const double expected = n * kn_integral(x, lo, hi, 500) / total;
      chi2 += std::pow(hist[b] - expected, 2) / expected;
    }
    EXPECT_LT(chi2, 45.0) << "k=" << k;  // 19 dof: p ~ 1e-3 at 45
  }
}
