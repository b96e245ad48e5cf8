// Bremsstrahlung: high-energy loss against the radiation length, suppression effects, and
// the sampled photon spectrum against a numerical integral of the model's k dsigma/dk.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/em/electron/electron_models.hh"
#include "test_materials.hh"

using namespace calo;
using namespace calo::sim;
using namespace calo::units;
using calo::sim::test::element;
using calo::sim::test::mass_stopping;

// Definition of X0 (Tsai; PDG "Passage of particles through matter", eq. 34.26-34.27):
// at high energy dE/dx_rad = E / X0 up to Tsai's (Z^2 + Z)/18 term (~1.5 % in W, ~3 % in
// Si's 1/Z-enhanced electron term) and the LPM effect (negligible at 10 GeV for dE/dx).
TEST(ElectronBremsstrahlung, RadiativeLossIsEOverX0At10GeV) {
  for (const char* symbol : {"Si", "W"}) {
    const Material m = element(symbol, std::string(symbol) == "W" ? 19.3 : 2.33);
    const double t = 10.0 * GeV;
    const double expected = (t + 0.51099895) / m.radiation_length;
    EXPECT_NEAR(radiative_stopping_power(m, t, false) / expected, 1.0, 0.03) << symbol;
  }
}

// Radiative stopping power at 1, 10 and 100 MeV against the Seltzer-Berger values (the data
// behind ESTAR's "radiative" column) as listed in the PENELOPE 2008 material files Si.mat and
// W.mat [MeV cm2/g]: Si 0.0235416 / 0.314072 / 4.08754, W 0.115473 / 1.12747 / 13.5496. +-3 %
// (issue 2) at every point. At 1 MeV the model is Born (Bethe-Heitler 3BN) x Elwert plus the
// low-energy Coulomb enhancement carried by f(Z) (docs/physics/electron.md): for W the weight of
// that term was fitted to Seltzer-Berger from 0.2 to 50 MeV (residual 0.1 % here), so W checks
// the fit; for Si the term is 25 times smaller (f(Z) ~ (alpha Z)^2) and the point is an
// independent check of Born x Elwert (+2.1 %). Before the low-energy model W was 20 % low here.
TEST(ElectronBremsstrahlung, RadiativeStoppingPowerMatchesSeltzerBergerAt1To100MeV) {
  struct Case {
    const char* symbol;
    double density_g_cm3, t_mev, reference;
  };
  const Case cases[] = {{"Si", 2.33, 1.0, 0.0235416}, {"Si", 2.33, 10.0, 0.314072},
                        {"Si", 2.33, 100.0, 4.08754}, {"W", 19.3, 1.0, 0.115473},
                        {"W", 19.3, 10.0, 1.12747},   {"W", 19.3, 100.0, 13.5496}};
  for (const auto& c : cases) {
    const Material m = element(c.symbol, c.density_g_cm3);
    const double ours = mass_stopping(radiative_stopping_power(m, c.t_mev * MeV, false), m);
    EXPECT_NEAR(ours / c.reference, 1.0, 0.03) << c.symbol << " " << c.t_mev << " MeV: " << ours;
  }
}

// Below 1 MeV, where Tsai's extreme-relativistic formula collapses (W 0.2 MeV: -53 % before the
// low-energy model), against Seltzer-Berger as it appears in ESTAR: the ESTAR total of the G4_W
// row of G4ESTARStopping minus the ICRU 37 collision stopping power evaluated as in
// ionisation.test.cc (which agrees with PENELOPE's W.mat to 0.07 % at 1 MeV): W 0.2 / 0.4 /
// 0.7 MeV radiative 0.0505 / 0.0652 / 0.0892 MeV cm2/g (+-1 % from the 4 digits of the totals,
// a few % from the collision part). +-5 %: these points were part of
// the fit of the Coulomb weight (residuals +1.1 / -0.6 / -0.5 %), so this guards the
// low-energy model against regressions rather than testing it independently.
TEST(ElectronBremsstrahlung, RadiativeStoppingPowerOfTungstenBelow1MeV) {
  const Material w = element("W", 19.3);
  const double t_mev[] = {0.2, 0.4, 0.7}, reference[] = {0.0505, 0.0652, 0.0892};
  for (int i = 0; i < 3; ++i) {
    const double ours = mass_stopping(radiative_stopping_power(w, t_mev[i] * MeV, false), w);
    EXPECT_NEAR(ours / reference[i], 1.0, 0.05) << t_mev[i] << " MeV: " << ours;
  }
}

// The Born (3BN / extreme-relativistic) and Elwert factors tend to 1 at high energy, so the
// model is switched to pure Tsai above BremsCrossSection::kLowEnergyModelMax without a step.
TEST(ElectronBremsstrahlung, LowEnergyCorrectionsVanishAtHighEnergy) {
  const double t = BremsCrossSection::kLowEnergyModelMax;
  for (double y : {1e-3, 0.1, 0.5, 0.9}) {
    const double e = t + 0.51099895, k = y * t;
    EXPECT_NEAR(BremsCrossSection::born_ratio(e, k), 1.0, 2e-3) << y;
    EXPECT_NEAR(BremsCrossSection::elwert_factor(e, k, 74), 1.0, 2e-3) << y;
  }
  for (const char* symbol : {"Si", "W"}) {
    const Material m = element(symbol, 1.0);
    const double below = radiative_stopping_power(m, t * (1 - 1e-9), false);
    const double above = radiative_stopping_power(m, t * (1 + 1e-9), false);
    EXPECT_NEAR(below / above, 1.0, 1e-4) << symbol;
  }
  EXPECT_NEAR(BremsCrossSection::coulomb_weight(10.0 * GeV), 1.0, 1e-3);
}

TEST(ElectronBremsstrahlung, RestrictedLossAndCrossSectionConsistent) {
  const Material w = element("W", 19.3);
  for (double cut : {0.01, 0.1, 1.0}) {
    const BremsstrahlungModel model(w, cut, false);
    for (double t : {0.5, 5.0, 50.0, 5000.0}) {
      const double total = radiative_stopping_power(w, t, false);
      EXPECT_LE(model.dedx(t), total * (1 + 1e-9));
      EXPECT_GE(model.macro_xs(t), 0.0);
      if (t <= cut) {
        EXPECT_EQ(model.macro_xs(t), 0.0);
      }
    }
  }
}

TEST(ElectronBremsstrahlung, LpmSuppressesSoftPhotonsAt500GeVInTungsten) {
  const Material w = element("W", 19.3);
  const BremsstrahlungModel model(w, 0.1 * MeV, false);
  // Spectrum shape k dsigma/dk at y = k/E = 0.01 relative to y = 0.5: at 1 GeV (no LPM for
  // these k) the Bethe-Heitler/Tsai shape; at 500 GeV (E_LPM(W) ~ 2.7 TeV) photons with
  // k << E^2/E_LPM ~ 90 GeV are suppressed (Migdal), by about a factor 2 at y = 0.01.
  auto shape = [&](double e) { return model.k_dxs_dk(e, 0.01 * e) / model.k_dxs_dk(e, 0.5 * e); };
  EXPECT_NEAR(shape(1.0 * GeV), (4 - 4 * 0.01 + 3e-4) / (4 - 2 + 0.75), 0.1);
  EXPECT_LT(shape(500.0 * GeV) / shape(1.0 * GeV), 0.6);
  // Dielectric suppression: k_p = gamma hbar omega_p = 1.6 MeV for a 10 GeV electron in W.
  const double soft = model.k_dxs_dk(10.0 * GeV, 0.1 * MeV) / model.k_dxs_dk(10.0 * GeV, 5.0 * GeV);
  EXPECT_LT(soft, 0.05);
}

TEST(ElectronBremsstrahlung, SampledMeanPhotonEnergyMatchesIntegral) {
  const Material w = element("W", 19.3);
  const double cut = 0.1 * MeV;
  const BremsstrahlungModel model(w, cut, false);
  for (double t : {0.3 * MeV, 1.0 * MeV, 5.0 * MeV, 1.0 * GeV, 300.0 * GeV}) {
    // Independent integration of the model's k dsigma/dk: midpoint rule in ln k.
    double s0 = 0, s1 = 0;
    const int n = 20000;
    const double l = std::log(t / cut);
    for (int i = 0; i < n; ++i) {
      const double k = cut * std::exp(l * (i + 0.5) / n);
      const double f = model.k_dxs_dk(t, k) * l / n;  // dsigma/dk dk = k dsigma/dk dln k
      s0 += f;
      s1 += k * f;
    }
    EXPECT_NEAR(model.macro_xs(t) / s0, 1.0, 2e-3) << t;
    Rng rng(11, static_cast<std::uint64_t>(t));
    const int samples = 100000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < samples; ++i) {
      const BremsSample s = model.sample(t, rng);
      ASSERT_GE(s.photon_energy, cut);
      ASSERT_LE(s.photon_energy, t);
      ASSERT_LE(std::fabs(s.photon_cos), 1.0);
      sum += s.photon_energy;
      sum2 += s.photon_energy * s.photon_energy;
    }
    const double mean = sum / samples;
    const double err = std::sqrt((sum2 / samples - mean * mean) / samples);
    EXPECT_NEAR(mean, s1 / s0, 4 * err) << t;
  }
}

TEST(ElectronBremsstrahlung, PhotonAngleScalesAsMOverE) {
  const Material si = element("Si", 2.33);
  const BremsstrahlungModel model(si, 0.01 * MeV, false);
  Rng rng(3, 0);
  const double t = 1.0 * GeV;
  double sum = 0;
  const int samples = 20000;
  for (int i = 0; i < samples; ++i) sum += std::acos(model.sample(t, rng).photon_cos);
  const double mean_u = sum / samples * (t + 0.51099895) / 0.51099895;  // theta E / m
  // Tsai's f(u) ~ u exp(-a u) + d u exp(-3 a u), a = 0.625, d = 27 (Geant4 Physics Reference
  // Manual, bremsstrahlung angular distribution): <u> = int u f / int f
  // = (2/a^3 + 2 d/(27 a^3)) / (1/a^2 + d/(9 a^2)) = 1.6. Until 2026-12-06 this test asserted
  // 3.125, the mean of the model's then-inverted scales (u / 1.6 and u / 0.533), which it
  // was written from; the formula above is the independent value.
  const double a = 0.625, d = 27;
  const double expected = (2 / (a * a * a) + 2 * d / (27 * a * a * a)) / (1 / (a * a) + d / (9 * a * a));
  EXPECT_NEAR(mean_u, expected, 0.05);  // statistical error of the mean: 1.6 / sqrt(20000) = 0.011
}

// Geant4's G4eBremParametrizedModel (Geant4 11.4.0), which the Geant4 development set of issue
// 10 ran below 1 GeV (../shared/geant4-reference/README.md), as BremsOptions reproduces it: its
// radiative stopping power against the same Seltzer-Berger values (PENELOPE 2008 Si.mat/W.mat,
// as above) shows how far that model is from them: W +20 % / +21 % and Si -15 % / -13 % at
// 10 / 100 MeV (the parametrisation's F(Z) = ln Z (4 - 0.55 ln Z) replaces 8 (ln Z / 3 + f(Z))
// of the Bethe-Heitler formula: 7.0 instead of 13.7 for W). Below its low-energy limit of
// 10 MeV (its constructor's, which G4eBremsstrahlung does not lower) it radiates nothing.
// Pins the diagnostic of docs/physics.md, "Issue 10, third pass"; +-3 % on each ratio.
TEST(ElectronBremsstrahlung, Geant4ParametrizedModelDepartsFromSeltzerBerger) {
  struct Case {
    const char* symbol;
    double density_g_cm3, t_mev, seltzer_berger, ratio;
  };
  const Case cases[] = {{"Si", 2.33, 10.0, 0.314072, 0.849},
                        {"Si", 2.33, 100.0, 4.08754, 0.869},
                        {"W", 19.3, 10.0, 1.12747, 1.199},
                        {"W", 19.3, 100.0, 13.5496, 1.215}};
  BremsOptions g4;
  g4.geant4_parametrized = true;
  for (const auto& c : cases) {
    const Material m = element(c.symbol, c.density_g_cm3);
    const BremsCrossSection xs(m, false, g4);
    const double t = c.t_mev * MeV;
    const double ratio = mass_stopping(xs.energy_loss(t, 0.0, t), m) / c.seltzer_berger;
    EXPECT_NEAR(ratio / c.ratio, 1.0, 0.03) << c.symbol << " " << c.t_mev << " MeV: " << ratio;
    EXPECT_EQ(xs.energy_loss(9.9 * MeV, 0.0, 9.9 * MeV), 0.0) << c.symbol;
    EXPECT_FALSE(xs.radiates(9.9 * MeV));
    EXPECT_TRUE(xs.radiates(10.0 * MeV));
  }
  // The sampler clips the spectrum where the parametrisation exceeds its bound f_max (W).
  const Material w = element("W", 19.3);
  const BremsCrossSection xs(w, false, g4);
  EXPECT_LT(xs.k_dxs_dk_sampled(100 * MeV, 1 * MeV), 0.9 * xs.k_dxs_dk(100 * MeV, 1 * MeV));
}
