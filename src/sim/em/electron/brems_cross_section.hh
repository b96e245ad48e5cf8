#pragma once
// Bremsstrahlung differential cross section of e-/e+ in a material (see
// docs/physics/electron.md): Tsai's complete formula (Rev. Mod. Phys. 46 (1974) 815, eq. 3.9)
// with his analytic screening functions (eqs. 3.38-3.41), nucleus (Z^2, with the
// Davies-Bethe-Maximon Coulomb correction f(Z)) and atomic-electron (Z) terms; Migdal's LPM
// suppression (functions xi(s), G(s), phi(s) as in the Geant4 Physics Reference Manual,
// G4eBremsstrahlungRelModel) combined with dielectric (Ter-Mikaelian) suppression. Below
// 1 GeV Tsai's extreme-relativistic form is corrected to the full relativistic Born result
// (Bethe-Heitler 3BN) times the Elwert factor, and the Coulomb correction follows the
// energy dependence of the exact (partial-wave) results: an enhancement at low energy that
// turns into f(Z) at high energy (see docs/physics/electron.md).
#include <vector>

#include "sim/material/material.hh"

namespace calo::sim {

/// Which bremsstrahlung cross section applies below 1 GeV (above, always Tsai with LPM).
struct BremsOptions {
  /// false: this project's model (Tsai x Bethe-Heitler 3BN x Elwert, Coulomb weight fitted to
  /// Seltzer-Berger). true: the parametrisation of Geant4's G4eBremParametrizedModel (Geant4
  /// 11.4.0, source/processes/electromagnetic/standard/src/G4eBremParametrizedModel.cc),
  /// the model the Geant4 development set ran below 1 GeV; see docs/physics/electron.md,
  /// "Geant4's parametrised bremsstrahlung". A diagnostic, not a physics choice: it departs
  /// from Seltzer-Berger by +20 % (W) / -14 % (Si) at 10 MeV - 1 GeV.
  bool geant4_parametrized = false;
  /// Below this kinetic energy that model has no bremsstrahlung at all (its dE/dx and cross
  /// section return 0): G4eBremParametrizedModel's constructor sets its low-energy limit to
  /// 10 MeV and G4eBremsstrahlung::InitialiseEnergyLossProcess does not lower it.
  double parametrized_low_limit = 10.0;  // [MeV]
};

class BremsCrossSection {
 public:
  BremsCrossSection(const Material& material, bool positron, BremsOptions options = {});

  /// k dsigma/dk per unit volume [1/mm] for a lepton of kinetic energy t [MeV] emitting a
  /// photon of energy k [MeV] (0 outside 0 < k < t).
  double k_dxs_dk(double t, double k) const;

  /// The k-distribution (times k) the photon energy is drawn from: k_dxs_dk, except for the
  /// Geant4 parametrisation, whose sampler accepts with min(1, f / f_max) and so clips the
  /// spectrum at f_max where its f exceeds that bound (W: f = 4.4 > f_max = 3.6 at small k).
  double k_dxs_dk_sampled(double t, double k) const;

  /// False below the Geant4 parametrisation's low-energy limit, where it emits nothing (the
  /// tables interpolate a non-zero cross section there; such an interaction is a null one).
  bool radiates(double t) const {
    return !(options_.geant4_parametrized && t < options_.parametrized_low_limit);
  }

  /// Integral of k dsigma/dk dk over [k_lo, k_hi] (energy loss per length) [MeV/mm].
  double energy_loss(double t, double k_lo, double k_hi) const;
  /// Integral of dsigma/dk dk over [k_lo, k_hi] (macroscopic cross section) [1/mm].
  double cross_section(double t, double k_lo, double k_hi) const;

  /// Weight w(t) of f(Z) in the nuclear term, phi1 - 4/3 ln Z - 4 w f(Z), at kinetic energy
  /// t: 1 - 3.25 / (1 + (t / 2.7 MeV)^1.25), i.e. -2.2 (an enhancement) at 0.1 MeV, 0 at
  /// 5 MeV, 0.5 at 10 MeV, 1 at high energy (see docs/physics/electron.md).
  static double coulomb_weight(double t);

  /// Ratio of the unscreened Bethe-Heitler 3BN cross section (full relativistic Born
  /// approximation, Koch and Motz 1959) to its extreme-relativistic limit, the one Tsai's
  /// formula reduces to without screening, for total energy e0 and photon energy k [MeV].
  static double born_ratio(double e0, double k);

  /// Elwert factor for an electron of total energy e0 radiating k in the field of charge z.
  static double elwert_factor(double e0, double k, double z);

  /// Above this kinetic energy born_ratio and the Elwert factor are taken as 1 (they change
  /// the radiative stopping power by < 1e-4 there).
  static constexpr double kLowEnergyModelMax = 1000.0;  // [MeV]

 private:
  /// G4eBremParametrizedModel: k dsigma/dk per volume, clipped at f_max if `clip`.
  double parametrized_k_dxs_dk(double t, double k, bool clip) const;

  struct Element {
    double n;                  // atoms per volume [1/mm^3]
    double z, z13, log_z, fc;  // Z, Z^(1/3), ln Z, f(Z)
    double s1;                 // (Z^(1/3)/184)^2, lower end of the LPM xi(s) ramp
    double log_s1;
    double zz;     // (Z (Z+1))^(1/3), the parametrisation's variable
    double f_max;  // the parametrised sampler's bound: Fel - f + Finel / Z + (1 + 1/Z) / 12
  };
  std::vector<Element> elements_;
  double lpm_energy_;     // E_LPM = alpha m^2 X0 / (4 pi hbar c) [MeV]
  double plasma_energy_;  // hbar omega_p [MeV]
  BremsOptions options_;
};

}  // namespace calo::sim
