// Thin- and thick-target benchmarks of the electron transport alone (issue 10, item 1):
// back-scattering from semi-infinite targets, angular spread behind thin foils, and the
// energy a 0.5 mm Si slab between two W plates collects. Each against published data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/units.hh"
#include "sim/transport/shower_run.hh"

namespace calo::sim {
namespace {

using namespace calo::units;

/// A stack of one slab of `element` (Geant4's NIST density and I), `thickness_mm` thick, or
/// several slices given as JSON.
std::string slab_json(const std::string& name, double density, double ipot_ev, const std::string& element,
                      double thickness_mm, double transverse_mm = 1000) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                R"({"name": "%s slab", "cell_size_mm": 5.1, "transverse_size_mm": %g,
  "materials": [{"name": "%s", "density_g_cm3": %g, "mean_excitation_eV": %g, "atom_counts": {"%s": 1}}],
  "layers": [{"repeat": 1, "slices": [{"material": "%s", "thickness_mm": %g, "sensitive": true}]}]})",
                name.c_str(), transverse_mm, name.c_str(), density, ipot_ev, element.c_str(), name.c_str(),
                thickness_mm);
  return buf;
}

struct ExitCounts {
  double back_number = 0, back_energy = 0;  ///< back-scattered e- per primary, their energy / E0
  double forward_number = 0;
  std::vector<double> forward_theta;  ///< polar angles of transmitted e- [rad]
  double sensitive = 0;               ///< mean energy in the sensitive slabs [MeV]
};

ExitCounts shoot(const ShowerPhysics& physics, double energy, int n, std::uint64_t seed) {
  ShowerTransport transport(physics, readout_for(physics.stack(), 25));
  EventScore score;
  score.record_exits = true;
  ExitCounts c;
  for (int i = 0; i < n; ++i) {
    Rng rng(seed, i);
    transport.simulate(Particle::electron, energy, rng, score);
    c.sensitive += score.sensitive_deposit / n;
    for (const ExitRecord& e : score.exits) {
      if (e.type != Particle::electron) continue;
      if (e.where == Exit::front) {
        c.back_number += 1.0 / n;
        c.back_energy += e.energy / energy / n;
      } else if (e.where == Exit::back) {
        c.forward_number += 1.0 / n;
        c.forward_theta.push_back(std::acos(std::clamp(e.dir.z, -1.0, 1.0)));
      }
    }
  }
  return c;
}

/// Hanson's theta_1/e: the angle at which the intensity per solid angle falls to 1/e of its
/// value at 0. Small angles: dN/d(theta^2) is proportional to the intensity per solid angle, so
/// ln(counts per theta^2 bin) is fitted by a straight line over theta^2 < 1.5 theta_e^2 (the
/// Gaussian core; the single-scattering tail is outside), iterated from the 1 - 1/e quantile.
double theta_one_over_e(std::vector<double> theta) {
  std::sort(theta.begin(), theta.end());
  double th_e = theta[std::size_t(double(theta.size()) * (1 - std::exp(-1.0)))];
  for (int iter = 0; iter < 4; ++iter) {
    const int bins = 12;
    const double top = 1.5 * th_e * th_e;
    std::vector<double> n(bins, 0.0);
    for (double t : theta)
      if (t * t < top) n[std::size_t(t * t / top * bins)] += 1;
    double sx = 0, sy = 0, sxx = 0, sxy = 0, sw = 0;
    for (int b = 0; b < bins; ++b) {
      if (n[b] < 1) continue;
      const double x = (b + 0.5) * top / bins, y = std::log(n[b]), w = n[b];  // weight: 1/var(ln n)
      sw += w, sx += w * x, sy += w * y, sxx += w * x * x, sxy += w * x * y;
    }
    const double slope = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
    th_e = std::sqrt(-1.0 / slope);
  }
  return th_e;
}

}  // namespace
}  // namespace calo::sim
namespace calo::sim {
namespace {

// Hanson et al., Phys. Rev. 84 (1951) 634: 15.7 MeV e- through gold foils of 18.66 and
// 37.28 mg/cm^2; the measured 1/e half-width of the angular distribution per solid angle is
// theta_1/e = 2.58 and 3.76 deg. Geant4's Urban model reproduces them within a few per cent
// (Urban, CERN-OPEN-2006-077); Highland's formula, behind the default model's core, is an 11 %
// formula (Lynch & Dahl, NIM B 58 (1991) 6) and gives 2.93 / 4.22 deg here.
struct HansonCase {
  bool urban;
  double mg_cm2, measured_deg, tolerance;
};

class Hanson : public ::testing::TestWithParam<HansonCase> {};

TEST_P(Hanson, ThetaOneOverEBehindGoldFoil) {
  const HansonCase c = GetParam();
  PhysicsConfig config;
  config.msc_urban_angular = c.urban;
  const double mm = c.mg_cm2 * 1e-3 / 19.32 * 10.0;  // Au 19.32 g/cm^3
  const ShowerPhysics physics(parse_layer_stack(slab_json("Au", 19.32, 790, "Au", mm), "test"), config);
  // 20000 electrons: the fitted theta_1/e has a statistical error of ~0.5 %.
  const ExitCounts counts = shoot(physics, 15.7 * MeV, 20000, 3);
  const double deg = theta_one_over_e(counts.forward_theta) * 180.0 / M_PI;
  EXPECT_NEAR(deg / c.measured_deg, 1.0, c.tolerance)
      << (c.urban ? "Urban" : "default") << " " << deg << " deg";
  RecordProperty("theta_1_over_e_deg", std::to_string(deg));
}

// Measured 2026-12-06: Urban 2.58 / 3.93 deg (+0 / +4.5 %), default 2.82 / 4.15 (+9 / +10 %).
// Tolerances: Urban 6 % (its published agreement with Hanson, plus statistics), default 12 %
// (Highland's accuracy).
INSTANTIATE_TEST_SUITE_P(Foils, Hanson,
                         ::testing::Values(HansonCase{true, 18.66, 2.58, 0.06},
                                           HansonCase{true, 37.28, 3.76, 0.06},
                                           HansonCase{false, 18.66, 2.58, 0.12},
                                           HansonCase{false, 37.28, 3.76, 0.12}));

}  // namespace
}  // namespace calo::sim
namespace calo::sim {
namespace {

// Berger, Seltzer, Chappell & Dantzig, NIM 69 (1969) 181: spectrum of the energy deposited by
// 1 MeV e- at normal incidence in a 530 um silicon detector (measured). The digitised spectrum,
// 10 keV bins from 0.110 to 1.030 MeV, is the one Geant4 compares with in its TestEm5 example
// (examples/extended/electromagnetic/TestEm5/berger/530um.ascii; berger.mac: 1 cm wide
// absorber, 10 um cut). It tests what a thin Si layer between tungsten plates sees of slow
// electrons: the Landau peak (path ~ thickness) and the tail of electrons that scatter to long
// paths in the Si or stop in it.
constexpr double kBergerLow = 0.110;  // lower edge of the first bin [MeV]
constexpr double kBergerData[93] = {
    4.0e-2, 3.8e-1, 1.4,    3.2,    5.3,    6.8,    7.6,    6.6,    5.8,    5.0,    4.2,    3.7,
    3.1,    2.7,    2.3,    2.0,    1.7,    1.6,    1.4,    1.3,    1.15,   1.1,    9.4e-1, 9.8e-1,
    9.0e-1, 9.0e-1, 7.6e-1, 7.6e-1, 6.8e-1, 6.8e-1, 6.0e-1, 6.0e-1, 5.3e-1, 5.0e-1, 5.3e-1, 5.3e-1,
    5.3e-1, 4.8e-1, 4.2e-1, 4.2e-1, 4.2e-1, 4.2e-1, 4.4e-1, 4.4e-1, 3.5e-1, 3.9e-1, 3.8e-1, 3.1e-1,
    3.8e-1, 3.2e-1, 3.5e-1, 3.8e-1, 3.1e-1, 3.2e-1, 2.9e-1, 2.8e-1, 2.8e-1, 3.4e-1, 2.6e-1, 2.4e-1,
    2.6e-1, 2.5e-1, 2.1e-1, 2.6e-1, 2.4e-1, 1.9e-1, 1.3e-1, 1.1e-1, 1.2e-1, 1.1e-1, 1.1e-1, 9.5e-2,
    1.6e-1, 9.5e-2, 8.6e-2, 9.0e-2, 8.6e-2, 6.4e-2, 7.8e-2, 7.0e-2, 7.8e-2, 6.2e-2, 7.0e-2, 5.8e-2,
    5.8e-2, 7.0e-2, 5.8e-2, 6.5e-2, 1.3e-1, 6.0e-1, 1.6,    1.2,    2.1e-1};

/// Shape figures of a spectrum in Berger's 10 keV bins over [0.11, 0.99) MeV (the continuum;
/// the full-absorption peak at 1 MeV depends on the detector's width and is left out).
struct SpectrumShape {
  double peak_bin_low;  ///< lower edge of the most populated bin [MeV]
  double mean;          ///< mean deposit in the window [MeV]
  double tail;          ///< share of the window above 0.30 MeV
};

SpectrumShape shape_of(const double* counts) {  // counts[i]: bin [0.11 + 0.01 i, + 0.01)
  SpectrumShape s{0, 0, 0};
  double sum = 0, best = -1;
  for (int i = 0; i < 88; ++i) {
    const double low = kBergerLow + 0.01 * i;
    sum += counts[i];
    s.mean += counts[i] * (low + 0.005);
    if (low >= 0.2999) s.tail += counts[i];
    if (counts[i] > best) best = counts[i], s.peak_bin_low = low;
  }
  s.mean /= sum;
  s.tail /= sum;
  return s;
}

TEST(Berger1969, EnergyDepositSpectrumOf1MeVElectronsIn530umSilicon) {
  PhysicsConfig config;
  config.range_cut = 0.01 * mm;  // as Geant4's berger.mac (the spectrum hardly depends on it)
  const ShowerPhysics physics(parse_layer_stack(slab_json("Si", 2.33, 173, "Si", 0.53, 10.0), "test"),
                              config);
  ShowerTransport transport(physics, readout_for(physics.stack(), 1));
  EventScore score;
  const int n = 20000;  // ~1.5 s; the tail share then has a statistical error of ~1.2 %
  double counts[93] = {};
  for (int i = 0; i < n; ++i) {
    Rng rng(5, i);
    transport.simulate(Particle::electron, 1.0 * MeV, rng, score);
    const int b = int(std::floor((score.sensitive_deposit - kBergerLow) / 0.01));
    if (b >= 0 && b < 93) counts[b] += 1;
  }
  const SpectrumShape ours = shape_of(counts), data = shape_of(kBergerData);
  // Tolerances: the Landau peak within one bin (10 keV, ~6 %), as the digitised data allow;
  // the mean of the continuum within 5 % and the tail share within 12 %: Geant4's Urban model
  // agrees with this spectrum at that level (TestEm5 berger comparison; Urban, CERN-OPEN-2006-077).
  EXPECT_NEAR(ours.peak_bin_low, data.peak_bin_low, 0.0101) << "peak bin";
  EXPECT_NEAR(ours.mean / data.mean, 1.0, 0.05) << "mean " << ours.mean << " vs " << data.mean;
  EXPECT_NEAR(ours.tail / data.tail, 1.0, 0.12) << "tail " << ours.tail << " vs " << data.tail;
  RecordProperty("peak_bin_MeV", std::to_string(ours.peak_bin_low));
  RecordProperty("mean_MeV", std::to_string(ours.mean));
  RecordProperty("tail_share", std::to_string(ours.tail));
  std::printf(
      "Berger 1969, 530 um Si, 1 MeV e-: peak bin %.3f / %.3f MeV, mean %.4f / %.4f MeV, share > 0.3 MeV "
      "%.4f / %.4f (ours / measured)\n",
      ours.peak_bin_low, data.peak_bin_low, ours.mean, data.mean, ours.tail, data.tail);
}

}  // namespace
}  // namespace calo::sim
namespace calo::sim {
namespace {

// Lockwood et al., Sandia report SAND79-0414 (1980/1987): energy deposited per incident
// electron versus depth in semi-infinite targets, normal incidence, measured with thin
// calorimeter foils; depth as a fraction of the CSDA range r0, deposit in MeV cm^2/g. The
// digitised points are those Geant4 compares with in TestEm11 (sandia/data/*.ascii; Kadri et al.,
// NIM B 258 (2007) 381). Tantalum (Z = 73) is the nearest element to tungsten in the set.
struct SandiaPoint {
  double depth_over_r0, mev_cm2_per_g;
};
struct SandiaCase {
  const char* element;
  double z_density, ipot_ev, energy_mev;
  std::vector<SandiaPoint> data;
  double tolerance;  ///< on the mean |ours/data - 1| over points holding > 20 % of the maximum
};

class Sandia : public ::testing::TestWithParam<SandiaCase> {};

TEST_P(Sandia, DepthDoseOfElectronsInSemiInfiniteTarget) {
  const SandiaCase c = GetParam();
  // r0 first (from a one-slab stack of the material), then 60 slices over 1.2 r0 plus 3 r0 of backing.
  const LayerStack probe =
      parse_layer_stack(slab_json(c.element, c.z_density, c.ipot_ev, c.element, 1.0), "probe");
  const double rho = probe.materials[0].density / units::g_per_cm3;  // [g/cm^3]
  double r0_mm = 0;
  {
    const int n = 400;
    const double lo = std::log(1e-3), hi = std::log(c.energy_mev);
    for (int i = 0; i < n; ++i) {
      const double t = std::exp(lo + (i + 0.5) * (hi - lo) / n);
      r0_mm += t * (hi - lo) / n /
               (collision_stopping_power(probe.materials[0], t, false) +
                radiative_stopping_power(probe.materials[0], t, false));
    }
  }
  const int slices = 60;
  const double slice_mm = 1.2 * r0_mm / slices;
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                R"({"name": "sandia", "cell_size_mm": 1000, "transverse_size_mm": 1000,
  "materials": [{"name": "%s", "density_g_cm3": %g, "mean_excitation_eV": %g, "atom_counts": {"%s": 1}}],
  "layers": [{"repeat": %d, "slices": [{"material": "%s", "thickness_mm": %.9g, "sensitive": true}]},
             {"repeat": 1, "slices": [{"material": "%s", "thickness_mm": %.9g}]}]})",
                c.element, c.z_density, c.ipot_ev, c.element, slices, c.element, slice_mm, c.element,
                3.0 * r0_mm);
  const ShowerPhysics physics(parse_layer_stack(buf, "sandia"), PhysicsConfig{});
  ShowerTransport transport(physics, readout_for(physics.stack(), 1));
  EventScore score;
  const int n = 20000;
  std::vector<double> dose(slices, 0.0);  // [MeV cm^2/g] per electron
  const double slice_g_cm2 = slice_mm * 0.1 * rho;
  for (int i = 0; i < n; ++i) {
    Rng rng(11, i);
    transport.simulate(Particle::electron, c.energy_mev, rng, score);
    for (int l = 0; l < slices; ++l) dose[l] += score.cells[l] / slice_g_cm2 / n;
  }
  double max_data = 0;
  for (const auto& p : c.data) max_data = std::max(max_data, p.mev_cm2_per_g);
  double sum_dev = 0;
  int used = 0;
  std::string table;
  for (const auto& p : c.data) {
    const double x = p.depth_over_r0 * slices / 1.2 - 0.5;  // slice-centre coordinate
    const int i0 = std::clamp(int(std::floor(x)), 0, slices - 2);
    const double f = std::clamp(x - i0, 0.0, 1.0);
    const double ours = dose[i0] + f * (dose[i0 + 1] - dose[i0]);
    char line[96];
    std::snprintf(line, sizeof line, " %.3f:%.2f/%.2f", p.depth_over_r0, ours, p.mev_cm2_per_g);
    table += line;
    if (p.mev_cm2_per_g < 0.2 * max_data) continue;
    sum_dev += std::abs(ours / p.mev_cm2_per_g - 1.0);
    ++used;
  }
  const double mean_dev = sum_dev / used;
  std::printf("Sandia %s %g MeV (r0 %.4g g/cm2): mean |dev| %.3f; depth/r0: ours/data%s\n", c.element,
              c.energy_mev, r0_mm * 0.1 * rho, mean_dev, table.c_str());
  EXPECT_LT(mean_dev, c.tolerance) << table;
  RecordProperty("mean_abs_deviation", std::to_string(mean_dev));
}

// Measured points: TestEm11 sandia/data/Ta_1000keV.ascii, Ta_500keV.ascii, Al_1033keV.ascii.
// Tolerance 10 % on the mean |deviation| over the points above 20 % of the maximum (the
// digitised points scatter by a few per cent around a smooth curve). Measured 2026-12-06: Ta
// 1 MeV 7.4 %, Ta 0.5 MeV 6.3 %, Al 1.033 MeV 2.9 %. With Geant4's step limit (msc range factor
// 0.04) our Ta profiles were 15 % / 17 % off (energy deposited too close to the surface: +16 % /
// +30 % at the peak) while the finest steps give 6.7 % / 5.3 %: this test guards that the
// default steps are converged in a high-Z absorber.
INSTANTIATE_TEST_SUITE_P(
    Lockwood, Sandia,
    ::testing::Values(SandiaCase{"Ta",
                                 16.654,
                                 718,
                                 1.0,
                                 {{0.013, 2.44}, {0.015, 2.6},  {0.018, 2.9},  {0.02, 2.95},  {0.027, 3.17},
                                  {0.034, 3.36}, {0.035, 3.33}, {0.043, 3.55}, {0.045, 3.56}, {0.057, 3.75},
                                  {0.061, 3.9},  {0.07, 3.75},  {0.082, 3.58}, {0.091, 3.56}, {0.107, 3.41},
                                  {0.12, 3.29},  {0.142, 2.96}, {0.17, 2.6},   {0.208, 2.04}, {0.221, 1.81},
                                  {0.276, 1.2},  {0.305, 0.88}, {0.364, 0.45}, {0.426, 0.17}, {0.451, 0.13}},
                                 0.10},
                      SandiaCase{"Ta",
                                 16.654,
                                 718,
                                 0.5,
                                 {{0.034, 3.9},
                                  {0.07, 4.23},
                                  {0.1, 4.02},
                                  {0.144, 3.35},
                                  {0.193, 2.61},
                                  {0.253, 1.61},
                                  {0.333, 0.71},
                                  {0.489, 0.1}},
                                 0.10},
                      SandiaCase{
                          "Al",
                          2.699,
                          166,
                          1.033,
                          {{0.0045, 1.63}, {0.0165, 1.87}, {0.0317, 2.01}, {0.0448, 2.12}, {0.0591, 2.28},
                           {0.0707, 2.37}, {0.0836, 2.45}, {0.0987, 2.64}, {0.115, 2.73},  {0.127, 2.9},
                           {0.142, 2.98},  {0.174, 3.17},  {0.195, 3.22},  {0.221, 3.28},  {0.253, 3.28},
                           {0.28, 3.25},   {0.32, 3.11},   {0.373, 2.87},  {0.391, 2.76},  {0.431, 2.52},
                           {0.443, 2.43},  {0.511, 1.93},  {0.552, 1.63},  {0.621, 1.09},  {0.736, 0.42},
                           {0.846, 0.08}},
                          0.10}));

}  // namespace
}  // namespace calo::sim
