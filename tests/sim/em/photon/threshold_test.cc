// Range cut -> photon threshold (5 absorption lengths = cut).
#include <gtest/gtest.h>

#include <iostream>

#include "sim/em/photon/photon_models.hh"
#include "test_materials.hh"

using namespace calo;
using namespace calo::sim;
using namespace calo::units;

TEST(GammaThreshold, Tungsten) {
  // Geant4 (G4_W, 0.7 mm): ~98-100 keV. Pure W, 19.3 g/cm3. Ours: the highest energy where
  // 5/Sigma = 0.7 mm, above the K edge (XCOM gives ~105 keV there).
  const double t = gamma_production_threshold(test::pure("W", 19.3), 0.7 * mm);
  std::cout << "W 19.3 g/cm3, 0.7 mm: " << t / keV << " keV\n";
  EXPECT_NEAR(t / (98 * keV), 1.0, 0.15) << t / keV;
}

TEST(GammaThreshold, Silicon) {
  // Physical 5/Sigma (XCOM Si: 33.3 cm^2/g at 10 keV, 10.0 at 15 keV) crosses 0.7 mm at
  // ~10.3 keV. Geant4 quotes ~5.9-7 keV with its own crude cross section (see photon.md).
  const double t = gamma_production_threshold(test::pure("Si", 2.33), 0.7 * mm);
  std::cout << "Si 0.7 mm: " << t / keV << " keV\n";
  EXPECT_NEAR(t / (10.3 * keV), 1.0, 0.1) << t / keV;
}

TEST(GammaThreshold, TungstenDens24) {
  const double t = gamma_production_threshold(test::tungsten_dens24(), 0.7 * mm);
  std::cout << "TungstenDens24 0.7 mm: " << t / keV << " keV\n";
  EXPECT_NEAR(t / (98 * keV), 1.0, 0.15);
}

TEST(GammaThreshold, ClampAndMonotonic) {
  const auto si = test::pure("Si", 2.33);
  EXPECT_EQ(gamma_production_threshold(si, 1e-6 * mm), 990 * eV);
  EXPECT_LT(gamma_production_threshold(si, 0.1 * mm), gamma_production_threshold(si, 1.0 * mm));
}
