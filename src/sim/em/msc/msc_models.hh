#pragma once
// Multiple scattering and energy-loss fluctuations of e+-: condensed-history step
// physics. Built once per material; called every charged step (hot loop).
// Physics and validity: docs/physics/msc.md.
#include <vector>

#include "core/rng.hh"
#include "core/vec3.hh"
#include "sim/material/material.hh"

namespace calo::sim {

struct MscSample {
  Vec3 direction;     ///< new unit direction, in the frame whose z axis is the pre-step direction
  Vec3 displacement;  ///< end point minus start point, same frame; |displacement| <= true step
};

/// Multiple Coulomb scattering (Highland/Urban-style condensed history): angular deflection
/// with the right mean <cos theta> = exp(-t/lambda_1) and Highland width for small steps,
/// correlated lateral displacement, and the true-path <-> geometric-path conversion.
class MscModel {
 public:
  MscModel(const Material& material, bool positron);
  double transport_mfp(double t) const;  ///< first transport mean free path lambda_1 [mm]
  /// Mean geometric (straight-line) length of a true path `true_length` started at energy t.
  double true_to_geom(double true_length, double t) const;
  /// Inverse of true_to_geom.
  double geom_to_true(double geom_length, double t) const;
  /// Deflection and displacement after true path `true_length`, pre-step energy t_pre and
  /// post-step energy t_post.
  MscSample sample(double true_length, double t_pre, double t_post, Rng& rng) const;

  /// lambda_1 / lambda_2 at kinetic energy t (about 3 for small-angle scattering).
  double lambda_ratio(double t) const;

 private:
  /// Linear interpolation of a table on the log-energy grid.
  double interpolate(const std::vector<double>& table, double t) const;
  /// Fractional index of kinetic energy t on the grid (clamped to the table range).
  double grid_position(double t) const;
  /// Linear interpolation of a table at fractional index x.
  double interpolate_at(const std::vector<double>& table, double x) const;
  struct Deflection {
    double w;     ///< 1 - cos(theta)
    double rank;  ///< F(w): the sampled quantile, uniform on (0, 1) and non-decreasing in w
  };
  /// 1 - cos(theta) after true path s [mm] at mean energy t_mean, with the Lewis mean
  /// <1 - cos> = one_minus_mean = 1 - exp(-s/lambda_1), and its quantile.
  Deflection sample_one_minus_cos(double one_minus_mean, double s, double t_mean, Rng& rng) const;

  double log_emin_ = 0;          ///< ln of the lowest table energy [ln MeV]
  double inv_dlog_ = 0;          ///< grid points per unit ln E
  double emin_ = 0, emax_ = 0;   ///< table range [MeV]
  std::vector<double> lambda1_;  ///< [n_grid] lambda_1 [mm]
  std::vector<double> ratio12_;  ///< [n_grid] lambda_1 / lambda_2
  double inv_x0_ = 0;            ///< 1 / radiation length [1/mm]
  double tail_coefficient_ = 0;  ///< sum_i n_i 2 pi Z_i (Z_i+1) r_e^2 (m c^2)^2 [MeV^2/mm]
};

/// Energy-loss fluctuations along a step (Urban/Geant4 universal-fluctuation style: Gaussian
/// for thick absorbers, excitation + ionisation collisions for thin ones).
class EnergyLossFluctuation {
 public:
  explicit EnergyLossFluctuation(const Material& material);
  /// Actual loss [MeV] for mean restricted loss `mean_loss` over `step` [mm] at kinetic
  /// energy t with delta-ray cut `delta_cut`; result in [0, t].
  double sample(double mean_loss, double t, double step, double delta_cut, Rng& rng) const;

 private:
  double sample_bohr(double mean_loss, double variance, Rng& rng) const;
  double sample_thin(double mean_loss, double beta2, double gamma2, double cut, Rng& rng) const;

  double bohr_factor_ = 0;  ///< 2 pi r_e^2 m c^2 n_el [MeV/mm]
  double ipot_ = 0;         ///< mean excitation energy I [MeV]
  double log_ipot_ = 0;
  double e1_ = 0, e2_ = 0;  ///< excitation levels of the two-level atom [MeV]
  double log_e1_ = 0, log_e2_ = 0;
  double f1_ = 0, f2_ = 0;  ///< their oscillator strengths (f1 + f2 = 1)
};

}  // namespace calo::sim
