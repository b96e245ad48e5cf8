#pragma once
// Electron/positron models (DESIGN.md section 6). Built once per material and cut; dedx and
// macro_xs are sampled onto log-energy tables at start-up; `sample*` run in the hot loop.
// Energies are kinetic [MeV], lengths [mm], dE/dx [MeV/mm], macroscopic xs [1/mm].
#include <vector>

#include "core/rng.hh"
#include "sim/em/electron/brems_cross_section.hh"
#include "sim/material/material.hh"

namespace calo::sim {

/// Ionisation: restricted Berger-Seltzer stopping power with the Sternheimer density effect
/// below the delta-ray cut; Moller (e-) or Bhabha (e+) delta rays above it.
class IonisationModel {
 public:
  IonisationModel(const Material& material, double delta_cut, bool positron);
  double dedx(double t) const;                           ///< restricted loss (delta energy < cut)
  double macro_xs(double t) const;                       ///< delta rays above cut
  double sample_delta_energy(double t, Rng& rng) const;  ///< delta-ray kinetic energy

 private:
  double electron_density_;  // [1/mm^3]
  double log_i_;             // ln(I / m c^2)
  double cut_;               // delta-ray production threshold [MeV]
  bool positron_;
  double low_limit_;  // below it dE/dx is scaled (Geant4-style low-energy form) [MeV]
  // Sternheimer density-effect parameters: Sternheimer-Berger-Seltzer's tabulated ones for a
  // pure element that has them (Si, W), else the general Sternheimer-Peierls prescription
  double cbar_, x0_, x1_, a_, m_, delta0_;
};
/// Unrestricted collision stopping power [MeV/mm] (what ESTAR tabulates as "collision").
double collision_stopping_power(const Material& material, double t, bool positron);

struct BremsSample {
  double photon_energy;  ///< [MeV]
  double photon_cos;     ///< relative to the lepton direction
};

/// Bremsstrahlung: screened Bethe-Heitler/Tsai cross section with Coulomb correction, LPM
/// (Migdal) and dielectric (Ter-Mikaelian) suppression; loss below the photon cut is
/// continuous, emission above it discrete.
class BremsstrahlungModel {
 public:
  BremsstrahlungModel(const Material& material, double photon_cut, bool positron, BremsOptions options = {});
  double dedx(double t) const;      ///< radiative loss into photons < cut
  double macro_xs(double t) const;  ///< photons above cut
  BremsSample sample(double t, Rng& rng) const;

  /// Differential cross section per volume k dsigma/dk [1/mm] (photon energy k, lepton
  /// kinetic energy t), all suppressions included: what dedx, macro_xs and sample use.
  double k_dxs_dk(double t, double k) const { return xs_.k_dxs_dk(t, k); }

 private:
  BremsCrossSection xs_;
  double cut_;  // photon production threshold [MeV]
  // Rejection envelope for sampling ln k: max over k in [cut, t] of k dsigma/dk on a log
  // grid of t (n_grid_ points from log_t0_ with step dlog_t_).
  std::vector<double> envelope_;
  double log_t0_ = 0, dlog_t_ = 1;
};
/// Unrestricted radiative stopping power [MeV/mm] (ESTAR "radiative").
double radiative_stopping_power(const Material& material, double t, bool positron);

struct AnnihilationSample {
  double photon1_energy, photon1_cos;  ///< relative to the positron direction
  double photon2_energy, photon2_cos;  ///< azimuth of photon 2 = azimuth of photon 1 + pi
};

/// Two-photon annihilation of a positron in flight (Heitler). At rest (t = 0) the caller
/// emits two back-to-back 511 keV photons.
class AnnihilationModel {
 public:
  explicit AnnihilationModel(const Material& material);
  double macro_xs(double t) const;
  AnnihilationSample sample(double t, Rng& rng) const;

 private:
  double electron_density_;  // [1/mm^3]
};
/// Heitler's two-photon annihilation cross section per target electron [mm^2].
double heitler_xs_per_electron(double t);

/// e- (or e+) production threshold [MeV] for a range cut [mm] (Geant4 convention: the
/// energy whose approximate CSDA range equals the cut; clamped to >= 990 eV).
double electron_production_threshold(const Material& material, double range_cut, bool positron);

}  // namespace calo::sim
