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

class BremsCrossSection {
 public:
  BremsCrossSection(const Material& material, bool positron);

  /// k dsigma/dk per unit volume [1/mm] for a lepton of kinetic energy t [MeV] emitting a
  /// photon of energy k [MeV] (0 outside 0 < k < t).
  double k_dxs_dk(double t, double k) const;

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
  struct Element {
    double n;                  // atoms per volume [1/mm^3]
    double z, z13, log_z, fc;  // Z, Z^(1/3), ln Z, f(Z)
    double s1;                 // (Z^(1/3)/184)^2, lower end of the LPM xi(s) ramp
    double log_s1;
  };
  std::vector<Element> elements_;
  double lpm_energy_;     // E_LPM = alpha m^2 X0 / (4 pi hbar c) [MeV]
  double plasma_energy_;  // hbar omega_p [MeV]
};

}  // namespace calo::sim
