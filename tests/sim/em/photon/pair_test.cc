// Pair production: total cross section against Tsai's 7/(9 X0) at high energy and NIST XCOM
// (nuclear + electron field) at low energy; sampling sanity.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/em/photon/photon_models.hh"
#include "test_materials.hh"

using namespace calo;
using namespace calo::sim;
using namespace calo::units;

TEST(Pair, HighEnergyLimitIsSevenNinthsOfInverseX0) {
  for (auto m : {test::pure("W", 19.3), test::pure("Si", 2.33), test::tungsten_dens24()}) {
    PairModel model(m);
    for (double k : {10 * GeV, 100 * GeV, 1 * TeV}) {
      EXPECT_NEAR(model.macro_xs(k) * m.radiation_length / (7.0 / 9.0), 1.0, 0.03) << m.name << " " << k;
    }
  }
}

TEST(Pair, AgreesWithXcom) {
  // XCOM 3.1 (MDATX3.074 / .014): pair in nuclear + electron field [barn/atom]
  struct Ref {
    int z;
    double k;
    double barn_ref;
  };
  const Ref refs[] = {{74, 1.25, 0.09852},
                      {74, 1.5, 0.4611},
                      {74, 2.0, 1.430},
                      {74, 5.0, 6.053 + 0.002978},
                      {74, 10.0, 10.50 + 0.0958},
                      {74, 100.0, 25.87 + 0.3623},
                      {74, 1e4, 33.76 + 0.5465},
                      {14, 1.5, 8.917e-3},
                      {14, 3.0, 0.09978 + 5.649e-4},
                      {14, 10.0, 0.4153 + 0.01843},
                      {14, 100.0, 1.098 + 0.07511},
                      {14, 1e4, 1.501 + 0.1258}};
  for (const auto& r : refs) {
    const double tol = r.k < 1.4 ? 0.15 : 0.05;
    EXPECT_NEAR(pair_xs_per_atom(r.z, r.k * MeV) / (r.barn_ref * barn), 1.0, tol) << r.z << " " << r.k;
  }
  EXPECT_EQ(pair_xs_per_atom(74, 1.0 * MeV), 0.0);
}

TEST(Pair, SamplingConservesEnergyAndIsSymmetric) {
  auto m = test::tungsten_dens24();
  PairModel model(m);
  Rng rng(7, 3);
  const double mc2 = constants::electron_mass_c2;
  for (double k : {1.5 * MeV, 10 * MeV, 1 * GeV, 100 * GeV}) {
    double sum_frac = 0, sum_cos = 0;
    const int n = 50000;
    for (int i = 0; i < n; ++i) {
      const auto s = model.sample(k, rng);
      ASSERT_NEAR(s.electron_energy + s.positron_energy + 2 * mc2, k, 1e-9 * k);
      ASSERT_GE(s.electron_energy, 0.0);
      ASSERT_GE(s.positron_energy, 0.0);
      ASSERT_LE(std::abs(s.electron_cos), 1.0);
      sum_frac += (s.electron_energy + mc2) / k;
      sum_cos += s.electron_cos;
    }
    EXPECT_NEAR(sum_frac / n, 0.5, 0.005) << k;
    if (k >= 1 * GeV) {
      EXPECT_GT(sum_cos / n, 0.999) << k;  // theta ~ m/E
    }
  }
}
