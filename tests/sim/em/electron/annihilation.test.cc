// Positron annihilation in flight: Heitler's cross section and conservation in sampling.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/em/electron/electron_models.hh"
#include "test_materials.hh"

using namespace calo;
using namespace calo::sim;
using namespace calo::units;
using calo::sim::test::element;

namespace {
// Heitler (The Quantum Theory of Radiation, 1954), per electron, written with beta and the
// rapidity: sigma = pi r_e^2 / (gamma + 1) [ (gamma^2 + 4 gamma + 1) / (gamma^2 - 1)
// * acosh(gamma) - (gamma + 3) / sqrt(gamma^2 - 1) ].
double heitler(double t_mev) {
  const double re = 2.8179403262e-12;  // [mm]
  const double g = t_mev / 0.51099895 + 1.0, bg = g * std::sqrt(1 - 1 / (g * g));
  return M_PI * re * re / (g + 1) * ((g * g + 4 * g + 1) / (bg * bg) * std::acosh(g) - (g + 3) / bg);
}
}  // namespace

TEST(PositronAnnihilation, CrossSectionIsHeitler) {
  const Material w = element("W", 19.3);
  const AnnihilationModel model(w);
  for (double t : {0.01, 0.1, 1.0, 10.0, 1000.0}) {
    EXPECT_NEAR(model.macro_xs(t) / (heitler(t) * w.electron_density), 1.0, 1e-10) << t;
  }
}

TEST(PositronAnnihilation, SamplingConservesEnergyAndMomentum) {
  const Material si = element("Si", 2.33);
  const AnnihilationModel model(si);
  Rng rng(5, 0);
  const double m = 0.51099895;
  for (double t : {0.001, 0.1, 1.0, 100.0, 10000.0}) {
    const double p = std::sqrt(t * (t + 2 * m));
    for (int i = 0; i < 10000; ++i) {
      const AnnihilationSample s = model.sample(t, rng);
      ASSERT_NEAR(s.photon1_energy + s.photon2_energy, t + 2 * m, 1e-9 * (t + 2 * m));
      ASSERT_GT(s.photon1_energy, 0);
      ASSERT_GT(s.photon2_energy, 0);
      // Longitudinal and transverse momentum (azimuths differ by pi).
      const double sin1 = std::sqrt(1 - s.photon1_cos * s.photon1_cos);
      const double sin2 = std::sqrt(1 - s.photon2_cos * s.photon2_cos);
      ASSERT_NEAR(s.photon1_energy * s.photon1_cos + s.photon2_energy * s.photon2_cos, p, 1e-6 * (t + 2 * m));
      ASSERT_NEAR(s.photon1_energy * sin1, s.photon2_energy * sin2, 1e-4 * (t + 2 * m));
    }
  }
}
