// Photoelectric absorption against NIST XCOM photoabsorption values, edges, sampling.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/em/photon/photon_models.hh"
#include "test_materials.hh"

using namespace calo;
using namespace calo::sim;
using namespace calo::units;

namespace {
/// [cm^2/g] from [barn/atom]
double mass_coeff(int z, double k, double molar_mass) {
  return photoelectric_xs_per_atom(z, k) / cm2 * 6.02214076e23 / molar_mass;
}
}  // namespace

TEST(Photoelectric, AgreesWithXcom) {
  // XCOM photoelectric absorption [cm^2/g] (NIST XCOM; barn values of XCOM 3.1 converted with
  // its atomic weights): at grid energies (exact nodes) and between them (interpolated).
  struct Ref {
    int z;
    double a;
    double k_kev;
    double cm2g;
  };
  const Ref refs[] = {{74, 183.84, 10, 92.4},   {74, 183.84, 60, 3.19},     {74, 183.84, 100, 4.15},
                      {74, 183.84, 200, 0.640}, {74, 183.84, 1000, 0.0128}, {14, 28.0855, 10, 33.1},
                      {14, 28.0855, 30, 1.161}, {14, 28.0855, 100, 0.0250}};
  for (const auto& r : refs) {
    EXPECT_NEAR(mass_coeff(r.z, r.k_kev * keV, r.a) / r.cm2g, 1.0, 0.03) << r.z << " " << r.k_kev;
  }
  // between nodes the power-law interpolation must stay within 15 % of the neighbours' law:
  // W at 25 keV lies between 20 keV (1.942e4 b) and 30 keV (6545 b)
  const double s25 = photoelectric_xs_per_atom(74, 25 * keV) / barn;
  EXPECT_GT(s25, 6545);
  EXPECT_LT(s25, 19420);
}

TEST(Photoelectric, EdgesArePresent) {
  EXPECT_GT(photoelectric_xs_per_atom(74, 69.6 * keV), 4.0 * photoelectric_xs_per_atom(74, 69.4 * keV));
  EXPECT_GT(photoelectric_xs_per_atom(74, 10.3 * keV), 2.0 * photoelectric_xs_per_atom(74, 10.1 * keV));
  EXPECT_GT(photoelectric_xs_per_atom(14, 1.85 * keV), 5.0 * photoelectric_xs_per_atom(14, 1.83 * keV));
  EXPECT_GT(photoelectric_xs_per_atom(29, 9.0 * keV), 5.0 * photoelectric_xs_per_atom(29, 8.9 * keV));
}

TEST(Photoelectric, UntabulatedElementsAreScaledSensibly) {
  // No reference value stored here: N must fall between its tabulated neighbours C and O
  // per atom, and Ar between Cl and Fe, at energies away from their edges.
  for (double k : {5 * keV, 10 * keV, 100 * keV}) {
    EXPECT_GT(photoelectric_xs_per_atom(7, k), photoelectric_xs_per_atom(6, k));
    EXPECT_LT(photoelectric_xs_per_atom(7, k), photoelectric_xs_per_atom(8, k));
    EXPECT_GT(photoelectric_xs_per_atom(18, k), photoelectric_xs_per_atom(17, k));
    if (k > 7.2 * keV) {  // above the K edge of Fe
      EXPECT_LT(photoelectric_xs_per_atom(18, k), photoelectric_xs_per_atom(26, k));
    }
  }
}

TEST(Photoelectric, SamplingConservesEnergy) {
  auto m = test::tungsten_dens24();
  PhotoelectricModel model(m);
  Rng rng(11, 0);
  int k_shell = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double k = 100 * keV;
    const auto s = model.sample(k, rng);
    ASSERT_NEAR(s.electron_energy + s.local_deposit, k, 1e-12);
    ASSERT_GE(s.local_deposit, 0.0);
    ASSERT_LE(std::abs(s.electron_cos), 1.0);
    if (std::abs(s.local_deposit - 69.525 * keV) < 1 * eV) ++k_shell;
  }
  // W dominates; K fraction above the edge = 1 - 1/jump = 0.80 (x W share ~ 0.95)
  EXPECT_NEAR(double(k_shell) / n, 0.80 * 0.95, 0.04);
  // low energy: binding of the outer shells
  const auto s = model.sample(5 * keV, rng);
  EXPECT_NEAR(s.electron_energy + s.local_deposit, 5 * keV, 1e-12);
}

TEST(Photoelectric, MacroXsOfTungsten) {
  auto w = test::pure("W", 19.3);
  PhotoelectricModel model(w);
  // 100 keV: 4.15 cm^2/g * 19.3 g/cm^3 = 80.1 /cm
  EXPECT_NEAR(model.macro_xs(100 * keV) * cm / 80.1, 1.0, 0.03);
}
