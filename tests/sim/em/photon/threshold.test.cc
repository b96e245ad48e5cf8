// Range cut -> photon threshold in Geant4's convention (5 absorption lengths of Geant4's own
// parametrised cross section = cut), against thresholds printed by Geant4 itself.
#include <gtest/gtest.h>

#include <iostream>

#include "sim/em/photon/photon_models.hh"
#include "test_materials.hh"

using namespace calo;
using namespace calo::sim;
using namespace calo::units;

// Geant4 couple table, 0.7 mm cuts, as printed in G4HepEm's documentation (HepEmShow data
// generation, "Table of registered couples"): G4_Si gamma 5.85422 keV, G4_lAr gamma
// 5.20429 keV. Issue 2 accepts +-15 % (the e- thresholds of the same table are in
// tests/sim/em/electron/threshold.test.cc).
TEST(GammaThreshold, SiliconMatchesGeant4At0p7mm) {
  const double t = gamma_production_threshold(test::pure("Si", 2.33), 0.7 * mm);
  std::cout << "Si 2.33 g/cm3, 0.7 mm: " << t / keV << " keV\n";
  EXPECT_NEAR(t / (5.85422 * keV), 1.0, 0.15) << t / keV;
}

// Issue 2's Geant4 value for G4_W (19.3 g/cm3) at 0.7 mm: ~98 keV (quoted there; the couple
// table itself was not found in this session). +-15 %.
TEST(GammaThreshold, TungstenMatchesGeant4At0p7mm) {
  const double t = gamma_production_threshold(test::pure("W", 19.3), 0.7 * mm);
  std::cout << "W 19.3 g/cm3, 0.7 mm: " << t / keV << " keV\n";
  EXPECT_NEAR(t / (98 * keV), 1.0, 0.15) << t / keV;
}

// Same formula, same grid: the printed digits are reproduced, not just approximated. The
// 1e-3 allows only the grid start: Geant4's DefaultRegion grid in that run began at 1 keV, ours
// at G4VUserPhysicsList's 990 eV, which moves these values by ~1e-4 (linear interpolation
// between differently placed nodes). Anything larger means the convention was changed.
TEST(GammaThreshold, ReproducesGeant4CoupleTableDigits) {
  EXPECT_NEAR(gamma_production_threshold(test::pure("Si", 2.33), 0.7 * mm) / (5.85422 * keV), 1.0, 1e-3);
  EXPECT_NEAR(gamma_production_threshold(test::pure("Ar", 1.396), 0.7 * mm) / (5.20429 * keV), 1.0, 1e-3);
}

// CLIC's absorber (W 93 %, Ni 6.1 %, Fe 0.9 % by mass, 17.8 g/cm3): mixtures sum n_i sigma_i
// over elements as Geant4 does. No Geant4 number for this exact mixture is at hand; it must
// sit just below pure W (lower density, lighter elements): checked against W's 98 keV.
TEST(GammaThreshold, TungstenDens24) {
  const double t = gamma_production_threshold(test::tungsten_dens24(), 0.7 * mm);
  std::cout << "TungstenDens24 0.7 mm: " << t / keV << " keV\n";
  EXPECT_NEAR(t / (98 * keV), 1.0, 0.15);
  EXPECT_LT(t, gamma_production_threshold(test::pure("W", 19.3), 0.7 * mm));
}

TEST(GammaThreshold, ClampAndMonotonic) {
  const auto si = test::pure("Si", 2.33);
  EXPECT_EQ(gamma_production_threshold(si, 1e-6 * mm), 990 * eV);
  EXPECT_EQ(gamma_production_threshold(si, 1e6 * mm), 10 * GeV);
  double previous = 0;
  for (double cut : {0.01, 0.1, 0.7, 1.0, 10.0}) {
    const double t = gamma_production_threshold(si, cut * mm);
    EXPECT_GT(t, previous) << cut;
    previous = t;
  }
}
