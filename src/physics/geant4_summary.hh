#pragma once
// The observables of the Geant4 development set (../shared/geant4-reference/<stack>_<E>.json,
// its README): a shower set summarised the way Geant4's was, and the comparison of two such
// summaries with the tolerances of issue 10's acceptance. `calo3dgan bench geant4` and the
// sim tests use it, so every number in docs/physics.md is measured the same way.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "physics/shower_features.hh"

namespace calo::physics {

/// Mean observables of a set of showers of one primary energy (all ratios over E).
struct ShowerSummary {
  std::size_t events = 0;
  double window_mean = 0, window_rel_rms = 0;  ///< 25x25 window sum / E: mean, relative rms
  double si_total = 0;                         ///< energy in all Si (no window) / E
  /// Energy in the absorber (the tungsten) / E. The README calls it "all non-Si material", but
  /// for the CLIC stack it is the tungsten alone: 0.8818 + 0.0242 (Si) falls 0.085 short of the
  /// total 0.9913, the share of the PCB, ground and carbon-fibre layers.
  double absorber_total = 0;
  double all_total = 0;               ///< all deposited energy / E
  std::vector<double> long_profile;   ///< [layers] mean energy per layer [GeV]
  std::vector<double> x_profile;      ///< [nx] mean energy per x column [GeV]
  int shower_max_layer = 0;           ///< layer of the largest mean deposit
  double hits_1e4 = 0, hits_3e4 = 0;  ///< mean number of cells above 1e-4 / 3e-4 GeV
  double x2_mean = 0, x2_rms = 0;     ///< per-shower r.m.s. width of the x profile [cells]
  double z2_mean = 0, z2_rms = 0;     ///< the same of the longitudinal profile [layers]
};

/// Reads a development-set summary file (the JSON of ../shared/geant4-reference).
ShowerSummary read_geant4_summary(const std::string& path, std::string* geometry = nullptr,
                                  double* energy_gev = nullptr);

/// Builds a ShowerSummary event by event.
class SummaryAccumulator {
 public:
  SummaryAccumulator(std::size_t nx, std::size_t ny, std::size_t layers);
  /// cells: [nx][ny][layers] [GeV]; totals over the whole stack [GeV].
  void add(const float* cells, double primary_gev, double si_total_gev, double absorber_total_gev,
           double all_total_gev);
  ShowerSummary result() const;

 private:
  std::size_t nx_, ny_, nz_;
  std::size_t n_ = 0;
  double w_ = 0, w2_ = 0, si_ = 0, abs_ = 0, all_ = 0, h1_ = 0, h3_ = 0, x2_ = 0, x2sq_ = 0, z2_ = 0,
         z2sq_ = 0;
  std::vector<double> z_, x_;
  ShowerFeatures features_;  ///< reused per shower
};

/// One line of the comparison: ours against Geant4, with the acceptance tolerance.
struct ComparisonRow {
  std::string name;
  double ours = 0, geant4 = 0;
  double deviation = 0;  ///< ours/geant4 - 1, or the shape error for profiles
  double tolerance = 0;  ///< acceptance on |deviation| (0: reported only)
  bool pass() const { return tolerance <= 0 || std::abs(deviation) <= tolerance; }
};

/// Mean of |ours/geant4 - 1| over the bins of the unit-normalised profiles where Geant4 holds
/// more than `min_share` of the energy (issue 10: 2 %).
double profile_shape_error(const std::vector<double>& ours, const std::vector<double>& geant4,
                           double min_share = 0.02);

/// Every observable of the development set, in the order of its README.
std::vector<ComparisonRow> compare_summaries(const ShowerSummary& ours, const ShowerSummary& geant4);

}  // namespace calo::physics
