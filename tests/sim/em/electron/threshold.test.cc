// e-/e+ production thresholds from a range cut, against Geant4's values at 0.7 mm.
#include <gtest/gtest.h>

#include "sim/em/electron/electron_models.hh"
#include "test_materials.hh"

using namespace calo;
using namespace calo::sim;
using namespace calo::units;
using calo::sim::test::element;

// Geant4 (G4RToEConvForElectron/-Positron), G4_Si with 0.7 mm cuts: e- 423.34 keV,
// e+ 409.007 keV; as printed in the couple table quoted in G4HepEm's documentation
// (HepEmShow data generation, "Table of registered couples"). Since issue 10's third pass the
// threshold follows Geant4's convention (its simplified loss and grid), so the digits must
// agree: 1e-3 (before, with the CSDA range of our stopping powers: 405 keV, -4.3 %).
TEST(ElectronThreshold, SiliconAt0p7mmReproducesGeant4CoupleTableDigits) {
  const Material si = element("Si", 2.33);
  EXPECT_NEAR(electron_production_threshold(si, 0.7 * mm, false) / (423.34 * keV), 1.0, 1e-3);
  EXPECT_NEAR(electron_production_threshold(si, 0.7 * mm, true) / (409.007 * keV), 1.0, 1e-3);
}

// Tungsten: ~1.65 MeV for e- at 0.7 mm, the Geant4 number quoted in the task (three digits,
// material density not stated there; pure W at 19.3 g/cm3): 1 %.
TEST(ElectronThreshold, TungstenAt0p7mm) {
  const Material w = element("W", 19.3);
  EXPECT_NEAR(electron_production_threshold(w, 0.7 * mm, false) / (1.65 * MeV), 1.0, 0.01);
}

TEST(ElectronThreshold, ClampedAndMonotonic) {
  const Material si = element("Si", 2.33);
  EXPECT_DOUBLE_EQ(electron_production_threshold(si, 1e-6 * mm, false), 990 * eV);
  double previous = 0;
  for (double cut : {0.001, 0.01, 0.1, 1.0, 10.0}) {
    const double t = electron_production_threshold(si, cut * mm, false);
    EXPECT_GT(t, previous);
    previous = t;
  }
}
