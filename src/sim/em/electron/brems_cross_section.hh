#pragma once
// Bremsstrahlung differential cross section of e-/e+ in a material (see
// docs/physics/electron.md): Tsai's complete formula (Rev. Mod. Phys. 46 (1974) 815, eq. 3.9)
// with his analytic screening functions (eqs. 3.38-3.41), nucleus (Z^2, with the
// Davies-Bethe-Maximon Coulomb correction f(Z)) and atomic-electron (Z) terms; Migdal's LPM
// suppression (functions xi(s), G(s), phi(s) as in the Geant4 Physics Reference Manual,
// G4eBremsstrahlungRelModel) combined with dielectric (Ter-Mikaelian) suppression.
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

  /// Weight of the high-energy Coulomb correction at kinetic energy t: 0 below 2 MeV, 1
  /// above 50 MeV, linear in ln t between (see docs/physics/electron.md).
  static double coulomb_weight(double t);

 private:
  struct Element {
    double n;        // atoms per volume [1/mm^3]
    double z, z13, log_z, fc;  // Z, Z^(1/3), ln Z, f(Z)
    double s1;       // (Z^(1/3)/184)^2, lower end of the LPM xi(s) ramp
    double log_s1;
  };
  std::vector<Element> elements_;
  double lpm_energy_;        // E_LPM = alpha m^2 X0 / (4 pi hbar c) [MeV]
  double plasma_energy_;     // hbar omega_p [MeV]
};

}  // namespace calo::sim
