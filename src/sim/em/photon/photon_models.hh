#pragma once
// Photon interaction models (DESIGN.md section 6). Each model is built once per material
// (setup: any precomputation), then `macro_xs` is sampled onto the transport's log-energy
// tables at start-up and `sample` is called in the hot loop (must be fast, no allocation).
// Energies in MeV, lengths in mm (core/units.hh). Angles are polar cosines relative to the
// incoming photon direction; the caller samples the azimuth.
#include <vector>

#include "core/rng.hh"
#include "sim/material/material.hh"

namespace calo::sim {

struct ComptonSample {
  double photon_energy;    ///< scattered photon [MeV]
  double photon_cos;       ///< cos of the photon scattering angle
  double electron_energy;  ///< recoil electron kinetic energy [MeV] (= k - k')
  double electron_cos;     ///< cos of the electron angle (opposite azimuth to the photon)
};

/// Compton scattering on free electrons: Klein-Nishina cross section x Z per atom.
class ComptonModel {
 public:
  explicit ComptonModel(const Material& material);
  double macro_xs(double k) const;  ///< [1/mm]
  ComptonSample sample(double k, Rng& rng) const;

 private:
  double electron_density_;  ///< [1/mm^3]
};
/// Klein-Nishina total cross section per electron [mm^2] (analytic formula).
double klein_nishina_xs_per_electron(double k);

struct PairSample {
  double electron_energy;  ///< kinetic [MeV]
  double electron_cos;
  double positron_energy;  ///< kinetic [MeV]; electron + positron = k - 2 m c^2
  double positron_cos;     ///< positron azimuth = electron azimuth + pi
};

/// e+e- pair production in the nuclear and electron fields: Bethe-Heitler with screening
/// (Tsai/Butcher-Messel screening functions) and Coulomb correction; threshold 2 m c^2.
class PairModel {
 public:
  explicit PairModel(const Material& material);
  double macro_xs(double k) const;  ///< [1/mm]
  PairSample sample(double k, Rng& rng) const;

 private:
  struct Element {
    int z;
    double n;        ///< atoms per volume [1/mm^3]
    double coulomb;  ///< f(Z)
    double cbrt_z;   ///< Z^(1/3)
    double log_z;    ///< ln Z
  };
  std::vector<Element> elements_;
  double log_k0_ = 0, inv_dlog_ = 0;  ///< log-energy grid of the tables
  std::vector<double> macro_;         ///< [grid] Sigma [1/mm]
  std::vector<double> partial_;       ///< [grid x element] cumulative n_i sigma_i [1/mm]
};
/// Pair cross section per atom [mm^2] of element z at photon energy k.
double pair_xs_per_atom(int z, double k);

struct PhotoelectricSample {
  double electron_energy;  ///< photoelectron kinetic energy [MeV]
  double electron_cos;
  double local_deposit;  ///< binding energy deposited on the spot [MeV] (no fluorescence)
};

/// Photoelectric absorption (parametrised per element and shell, with absorption edges).
class PhotoelectricModel {
 public:
  explicit PhotoelectricModel(const Material& material);
  double macro_xs(double k) const;  ///< [1/mm]
  PhotoelectricSample sample(double k, Rng& rng) const;

 private:
  std::vector<int> z_;
  std::vector<double> n_;  ///< atoms per volume [1/mm^3]
};
/// Photoelectric cross section per atom [mm^2].
double photoelectric_xs_per_atom(int z, double k);

/// Photon production threshold [MeV] for a range cut [mm] in Geant4's convention: the energy
/// where 5/Sigma equals the cut, Sigma from Geant4's own parametrised absorption cross section
/// (G4RToEConvForGamma), not from the models above; clamped to [990 eV, 10 GeV].
double gamma_production_threshold(const Material& material, double range_cut);

}  // namespace calo::sim
