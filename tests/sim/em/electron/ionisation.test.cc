// Ionisation: collision and total (collision + radiative) stopping power against independent
// references, restricted loss consistency, and the delta-ray sampling against a numerical
// integral of Moller/Bhabha.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/em/electron/electron_models.hh"
#include "test_materials.hh"

using namespace calo;
using namespace calo::sim;
using namespace calo::units;
using calo::sim::test::element;
using calo::sim::test::mass_stopping;

TEST(ElectronIonisation, SiliconCollisionStoppingPowerAt1MeV) {
  // ESTAR (NIST SRD 124), silicon, 1 MeV: collision 1.494 MeV cm2/g. The number is the one
  // quoted in the task brief and matches the author's memory of the table; the ESTAR table
  // itself could not be retrieved in this session (see docs/physics/electron.md).
  const Material si = element("Si", 2.33);
  EXPECT_NEAR(mass_stopping(collision_stopping_power(si, 1.0 * MeV, false), si) / 1.494, 1.0, 0.03);
}

// ESTAR-class collision stopping power, computed here independently of the model: the ICRU
// Report 37 formula for electrons (the one ESTAR evaluates) with the density-effect
// parameters that Sternheimer, Berger and Seltzer (At. Data Nucl. Data Tables 30 (1984) 261)
// fitted to the exact oscillator calculation, as tabulated by the PDG "Atomic and nuclear
// properties" pages. Since issue 10's third pass the model takes these tabulated parameters
// for pure Si and W itself (as Geant4 does for G4_Si and G4_W; before, its general
// Sternheimer-Peierls density effect put W 2.0-2.6 % high at 1-30 MeV), so for these two this
// checks the implementation of the formula; the ESTAR tests below stay independent. +-3 %.
struct SternheimerParameters {
  const char* symbol;
  double density_g_cm3, molar_mass, z, i_ev, cbar, x0, x1, a, m, delta0;
};

double icru37_collision_mass_stopping(const SternheimerParameters& p, double t_mev) {
  const double mc2 = constants::electron_mass_c2;
  const double tau = t_mev / mc2, gamma = tau + 1, beta2 = 1 - 1 / (gamma * gamma);
  const double x = std::log10(std::sqrt(tau * (tau + 2)));  // log10(beta gamma)
  double delta = 2 * std::log(10.0) * x - p.cbar;
  if (x < p.x0)
    delta = p.delta0 * std::pow(10.0, 2 * (x - p.x0));
  else if (x < p.x1)
    delta += p.a * std::pow(p.x1 - x, p.m);
  const double i_over_mc2 = p.i_ev * 1e-6 / mc2;
  const double f_minus = 1 - beta2 + (tau * tau / 8 - (2 * tau + 1) * std::log(2.0)) / (gamma * gamma);
  const double bracket = std::log(tau * tau * (tau + 2) / (2 * i_over_mc2 * i_over_mc2)) + f_minus - delta;
  // 2 pi r_e^2 m c^2 N_A = 0.153537 MeV cm^2/mol
  return 0.153537 * p.z / p.molar_mass / beta2 * bracket;
}

TEST(ElectronIonisation, CollisionStoppingPowerMatchesIcru37WithTabulatedDensityEffect) {
  const SternheimerParameters cases[] = {
      {"Si", 2.33, 28.085, 14, 173.0, 4.4355, 0.2014, 2.8715, 0.14921, 3.2546, 0.14},
      {"W", 19.3, 183.84, 74, 727.0, 5.4059, 0.2167, 3.4960, 0.15509, 2.8447, 0.14}};
  for (const auto& p : cases) {
    const Material m = element(p.symbol, p.density_g_cm3);
    for (double t : {1.0, 10.0, 100.0}) {
      const double ours = mass_stopping(collision_stopping_power(m, t * MeV, false), m);
      EXPECT_NEAR(ours / icru37_collision_mass_stopping(p, t), 1.0, 0.03) << p.symbol << " " << t << " MeV";
    }
  }
}

// Total (unrestricted collision + radiative) stopping power, the quantity ESTAR tabulates as
// "total", at 1 / 10 / 100 MeV in Si and W; +-3 % (issue 2). References [MeV cm2/g]:
//  - NIST ESTAR totals as hard-coded in Geant4's G4ESTARStopping.cc (G4_Si, G4_W rows, 10 MeV
//    node): Si 2.013, W 2.335; ESTAR Si 100 MeV 6.017 (NIST ESTAR web table, as quoted in
//    acts-project/detray tests/unit_tests/cpu/material/stopping_power.cpp).
//  - Where no ESTAR number was at hand, the PENELOPE 2008 material files Si.mat / W.mat
//    (collision + radiative from the ICRU 37 / Seltzer-Berger data that ESTAR also uses;
//    their totals agree with ESTAR to 0.25 % at the points above): Si 1 MeV 1.5309,
//    W 1 / 100 MeV 1.1314 / 14.968.
// The largest differences, W +1.8 % at 1 MeV and +2.1 % at 1.5 MeV (next test), come from our
// collision part (+2.1 % against ICRU 37); the radiative part is within 1 % of Seltzer-Berger
// there (docs/physics.md, "Bremsstrahlung below a few MeV").
TEST(ElectronStoppingPower, TotalMatchesEstarAt1To100MeV) {
  struct Case {
    const char* symbol;
    double density_g_cm3, t_mev, reference;
    const char* source;
  };
  const Case cases[] = {{"Si", 2.33, 1.0, 1.5309, "PENELOPE"}, {"Si", 2.33, 10.0, 2.013, "ESTAR"},
                        {"Si", 2.33, 100.0, 6.017, "ESTAR"},   {"W", 19.3, 1.0, 1.1314, "PENELOPE"},
                        {"W", 19.3, 10.0, 2.335, "ESTAR"},     {"W", 19.3, 100.0, 14.968, "PENELOPE"}};
  for (const auto& c : cases) {
    const Material m = element(c.symbol, c.density_g_cm3);
    const double t = c.t_mev * MeV;
    const double total =
        mass_stopping(collision_stopping_power(m, t, false) + radiative_stopping_power(m, t, false), m);
    EXPECT_NEAR(total / c.reference, 1.0, 0.03)
        << c.symbol << " " << c.t_mev << " MeV: " << total << " vs " << c.source << " " << c.reference;
  }
}

// The same total over the whole range where showers lose their last MeV: the ESTAR rows of
// G4ESTARStopping.cc (G4_Si, G4_W) at its grid nodes 0.2 - 90 MeV [MeV cm2/g]. +-3 % as above.
TEST(ElectronStoppingPower, TotalMatchesEstarTableFrom0p2To90MeV) {
  const double t_mev[] = {0.2, 0.4, 0.7, 1.5, 3.5, 6.0, 10.0, 30.0, 50.0, 90.0};
  const double si[] = {2.245, 1.741, 1.568, 1.538, 1.667, 1.813, 2.013, 2.917, 3.802, 5.573};
  const double w[] = {1.489, 1.203, 1.126, 1.183, 1.457, 1.798, 2.335, 5.051, 7.84, 13.53};
  const Material m_si = element("Si", 2.33), m_w = element("W", 19.3);
  auto total = [](const Material& m, double t) {
    return mass_stopping(collision_stopping_power(m, t, false) + radiative_stopping_power(m, t, false), m);
  };
  for (int i = 0; i < 10; ++i) {
    EXPECT_NEAR(total(m_si, t_mev[i] * MeV) / si[i], 1.0, 0.03) << "Si " << t_mev[i] << " MeV";
    EXPECT_NEAR(total(m_w, t_mev[i] * MeV) / w[i], 1.0, 0.03) << "W " << t_mev[i] << " MeV";
  }
}

// Rossi's critical energy: the electron energy at which the collision loss per radiation
// length equals the energy. It checks the collision stopping power at ~8 MeV (W) and ~40 MeV
// (Si) together with the material's Tsai X0. References: the PDG "Atomic and nuclear
// properties of materials" tables, Ec(e-) = 40.19 MeV for Si and 7.97 MeV for W (computed
// by the PDG from ESTAR-class collision stopping powers), tolerance 3 % as for ESTAR values;
// and the PDG fit Ec = 610 MeV / (Z + 1.24) for solids (rms 2.2 %), tolerance 5 %.
double rossi_critical_energy(const Material& m) {
  double lo = 1.0 * MeV, hi = 200.0 * MeV;  // solve coll(T) * X0 = T by bisection in ln T
  for (int i = 0; i < 60; ++i) {
    const double mid = std::sqrt(lo * hi);
    (collision_stopping_power(m, mid, false) * m.radiation_length > mid ? lo : hi) = mid;
  }
  return lo;
}

struct CriticalEnergyCase {
  const char* symbol;
  double density_g_cm3, pdg_table_mev;
};

class CriticalEnergy : public ::testing::TestWithParam<CriticalEnergyCase> {};

TEST_P(CriticalEnergy, MatchesPdgTable) {
  const auto c = GetParam();
  const Material m = element(c.symbol, c.density_g_cm3);
  EXPECT_NEAR(rossi_critical_energy(m) / (c.pdg_table_mev * MeV), 1.0, 0.03) << c.symbol;
}

TEST_P(CriticalEnergy, MatchesPdgFit) {
  const auto c = GetParam();
  const Material m = element(c.symbol, c.density_g_cm3);
  const double ec_fit = 610.0 * MeV / (m.elements[0].z + 1.24);
  EXPECT_NEAR(rossi_critical_energy(m) / ec_fit, 1.0, 0.05) << c.symbol;
}
INSTANTIATE_TEST_SUITE_P(SiW, CriticalEnergy,
                         ::testing::Values(CriticalEnergyCase{"Si", 2.33, 40.19},
                                           CriticalEnergyCase{"W", 19.3, 7.97}),
                         [](const auto& info) { return std::string(info.param.symbol); });

TEST(ElectronIonisation, RestrictedLossBelowTotalAndIncreasingWithCut) {
  const Material w = element("W", 19.3);
  for (bool positron : {false, true}) {
    for (double t : {0.01, 0.1, 1.0, 10.0, 1000.0}) {
      const double total = collision_stopping_power(w, t, positron);
      double previous = 0;
      for (double cut : {0.001, 0.01, 0.1, 1.0, 10.0}) {
        const double restricted = IonisationModel(w, cut, positron).dedx(t);
        EXPECT_LE(restricted, total * (1 + 1e-12)) << t << " " << cut;
        EXPECT_GE(restricted, previous * (1 - 1e-12)) << t << " " << cut;
        previous = restricted;
      }
    }
  }
}

TEST(ElectronIonisation, FiniteAndSmoothDownTo1keV) {
  for (const char* symbol : {"Si", "W"}) {
    const Material m = element(symbol, std::string(symbol) == "W" ? 19.3 : 2.33);
    double previous = 0;
    for (double t = 1.0 * keV; t < 10.0 * keV; t *= 1.1) {
      const double s = collision_stopping_power(m, t, false);
      EXPECT_TRUE(std::isfinite(s) && s > 0) << symbol << " " << t;
      if (previous > 0) {
        EXPECT_NEAR(s / previous, 1.0, 0.2) << symbol << " " << t;
      }
      previous = s;
    }
  }
}

namespace {
// Independent Moller and Bhabha dsigma/dx (x = delta energy / T), up to 2 pi r_e^2 m/T,
// written from the formulas of the Geant4 Physics Reference Manual.
double moller(double x, double t) {
  const double g = t / 0.51099895 + 1, b2 = 1 - 1 / (g * g);
  const double a = (g - 1) * (g - 1) / (g * g), c = (2 * g - 1) / (g * g);
  return (a + 1 / x * (1 / x - c) + 1 / (1 - x) * (1 / (1 - x) - c)) / b2;
}
double bhabha(double x, double t) {
  const double g = t / 0.51099895 + 1, b2 = 1 - 1 / (g * g), y = 1 / (g + 1);
  const double b1 = 2 - y * y, b2c = (1 - 2 * y) * (3 + y * y);
  const double b4 = std::pow(1 - 2 * y, 3), b3 = std::pow(1 - 2 * y, 2) + b4;
  return 1 / (b2 * x * x) - b1 / x + b2c - b3 * x + b4 * x * x;
}
}  // namespace

TEST(ElectronIonisation, DeltaRaySamplingMatchesCrossSection) {
  const Material si = element("Si", 2.33);
  const double cut = 0.1 * MeV;
  for (bool positron : {false, true}) {
    for (double t : {1.0 * MeV, 100.0 * MeV}) {
      const IonisationModel model(si, cut, positron);
      const double xmin = cut / t, xmax = positron ? 1.0 : 0.5;
      // Numerical integrals (midpoint in ln x, fine grid).
      double s0 = 0, s1 = 0;
      const int n = 200000;
      for (int i = 0; i < n; ++i) {
        const double x = xmin * std::pow(xmax / xmin, (i + 0.5) / n);
        const double w = x * std::log(xmax / xmin) / n;
        const double f = positron ? bhabha(x, t) : moller(x, t);
        s0 += f * w;
        s1 += x * f * w;
      }
      // Cross section: the model's macro_xs against the integral.
      const double expected_xs =
          s0 * 2 * 3.14159265358979 * 0.51099895 * std::pow(2.8179403262e-12, 2) / t * si.electron_density;
      EXPECT_NEAR(model.macro_xs(t) / expected_xs, 1.0, 1e-3) << positron << " " << t;
      // Sampling: mean delta energy.
      Rng rng(7, positron ? 1 : 0);
      const int samples = 200000;
      double sum = 0, sum2 = 0;
      for (int i = 0; i < samples; ++i) {
        const double e = model.sample_delta_energy(t, rng);
        ASSERT_GE(e, cut * (1 - 1e-12));
        ASSERT_LE(e, xmax * t * (1 + 1e-12));
        sum += e;
        sum2 += e * e;
      }
      const double mean = sum / samples;
      const double err = std::sqrt((sum2 / samples - mean * mean) / samples);
      EXPECT_NEAR(mean, s1 / s0 * t, 4 * err) << positron << " " << t;
    }
  }
}
