// Materials against published numbers: Tsai radiation lengths (PDG Atomic and Nuclear
// Properties tables) and the validation of user-written compositions.
#include "sim/material/material.hh"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hh"
#include "core/units.hh"

namespace calo::sim {
namespace {

using namespace calo::units;

Material pure(const char* symbol, double density_g_cm3) {
  return build_material(MaterialSpec{symbol, density_g_cm3 * g_per_cm3, {{symbol, 1.0, 0}}, 0});
}

// PDG "Atomic and nuclear properties of materials": X0(W) = 6.76 g/cm2, X0(Si) = 21.82 g/cm2,
// X0(Cu) = 12.86 g/cm2, X0(Pb) = 6.37 g/cm2 (Tsai's formula, as required to +-0.5 %).
TEST(TsaiRadiationLength, MatchesPdgForTungstenSiliconCopperLead) {
  const struct {
    const char* symbol;
    double density, x0_g_cm2;
  } cases[] = {{"W", 19.3, 6.76}, {"Si", 2.329, 21.82}, {"Cu", 8.96, 12.86}, {"Pb", 11.35, 6.37}};
  for (const auto& c : cases) {
    const Material m = pure(c.symbol, c.density);
    const double x0_g_cm2 = m.radiation_length * m.density / g_per_cm2;
    EXPECT_NEAR(x0_g_cm2, c.x0_g_cm2, 0.005 * c.x0_g_cm2) << c.symbol;
  }
}

TEST(TsaiRadiationLength, TungstenInMillimetresIsPdgValue) {
  // PDG: X0(W) = 0.3504 cm at 19.3 g/cm3.
  EXPECT_NEAR(pure("W", 19.3).radiation_length / mm, 3.504, 0.02);
}

TEST(Material, MixtureRadiationLengthIsMassWeightedHarmonicMean) {
  // 1/X0 = sum w_i / X0_i (PDG eq. 34.28), checked for a W/Ni/Fe alloy.
  const Material alloy = build_material(MaterialSpec{
      "TungstenDens24", 17.8 * g_per_cm3, {{"W", 0.93, 0}, {"Ni", 0.061, 0}, {"Fe", 0.009, 0}}, 0});
  double inv = 0;
  for (auto [sym, w] : {std::pair{"W", 0.93}, std::pair{"Ni", 0.061}, std::pair{"Fe", 0.009}}) {
    const Material p = pure(sym, 1.0);
    inv += w / (p.radiation_length * p.density);
  }
  EXPECT_NEAR(alloy.radiation_length * alloy.density, 1.0 / inv, 1e-9 / inv);
}

TEST(Material, ElectronDensityOfWaterFromAtomCounts) {
  // Water: 3.343e23 electrons per cm3 (10 electrons per 18.015 g/mol).
  const Material water =
      build_material(MaterialSpec{"Water", 1.0 * g_per_cm3, {{"H", 0, 2}, {"O", 0, 1}}, 75.0 * eV});
  EXPECT_NEAR(water.electron_density * cm3, 3.343e23, 0.002e23);
  EXPECT_DOUBLE_EQ(water.mean_excitation, 75.0 * eV);
}

TEST(Material, BraggAdditivityForMeanExcitation) {
  // Without a given I, ln I is the electron-weighted mean of the elements' ln I.
  const Material m = build_material(MaterialSpec{"SiO", 2.0 * g_per_cm3, {{"Si", 0, 1}, {"O", 0, 1}}, 0});
  const double expected = std::exp((14 * std::log(173.0) + 8 * std::log(95.0)) / 22) * eV;
  EXPECT_NEAR(m.mean_excitation, expected, 1e-9);
}

TEST(Material, PlasmaEnergyOfSiliconIs31eV) {
  // PDG table: hbar omega_p(Si) = 31.05 eV.
  EXPECT_NEAR(pure("Si", 2.329).plasma_energy / eV, 31.05, 0.1);
}

TEST(MaterialValidation, RejectsFractionsNotSummingToOne) {
  try {
    build_material(MaterialSpec{"Bad", 1.0 * g_per_cm3, {{"W", 0.5, 0}, {"Ni", 0.4, 0}}, 0});
    FAIL() << "accepted fractions summing to 0.9";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sum to 0.9"), std::string::npos) << e.what();
  }
  // within 1e-3 is accepted and renormalised
  EXPECT_NO_THROW(build_material(MaterialSpec{"Ok", 1.0 * g_per_cm3, {{"W", 0.9995, 0}}, 0}));
}

TEST(MaterialValidation, RejectsUnknownElementNonPositiveDensityAndEmptyList) {
  EXPECT_THROW(build_material(MaterialSpec{"X", 1.0 * g_per_cm3, {{"Xx", 1.0, 0}}, 0}), InputError);
  EXPECT_THROW(build_material(MaterialSpec{"X", 0.0, {{"W", 1.0, 0}}, 0}), InputError);
  EXPECT_THROW(build_material(MaterialSpec{"X", -1.0, {{"W", 1.0, 0}}, 0}), InputError);
  EXPECT_THROW(build_material(MaterialSpec{"X", std::nan(""), {{"W", 1.0, 0}}, 0}), InputError);
  EXPECT_THROW(build_material(MaterialSpec{"X", 1.0 * g_per_cm3, {}, 0}), InputError);
}

}  // namespace
}  // namespace calo::sim
