#pragma once
// Elastic e+- scattering on a screened atom (Wentzel potential, Moliere screening) and its
// transport cross sections: the input of the multiple-scattering model. Set-up code only.
namespace calo::sim {

/// Moliere's screening parameter A of the Wentzel cross section
/// dsigma/dOmega ~ 1 / (1 - cos theta + 2A)^2 for an e+- of kinetic energy t [MeV] on
/// atomic number z: A = (hbar / (2 p a_TF))^2 (1.13 + 3.76 (alpha z / beta)^2), with the
/// Thomas-Fermi radius a_TF = 0.88534 a_0 z^(-1/3) (Moliere 1947; Geant4 PRM, Urban model).
double moliere_screening(int z, double t);

/// Transport cross sections [mm^2] of one atom: sigma_l = 2 pi int (1 - P_l(cos)) dsigma.
struct TransportXs {
  double sigma1 = 0;             ///< first transport cross section (spin-corrected)
  double sigma2 = 0;             ///< second transport cross section (screened Rutherford, no spin term)
  double sigma1_rutherford = 0;  ///< first transport cross section without the spin term
};

/// Screened Rutherford cross section Z(Z+1) r_e^2 (m c^2)^2 / (p beta c)^2 / (1-cos+2A)^2
/// (the +1 counts the atomic electrons) integrated in closed form, times the first-order
/// McKinley-Feshbach spin/charge factor 1 - beta^2 s^2 -/+ pi alpha Z beta s (1 - s),
/// s = sin(theta/2), with - for positrons and + for electrons (Phys. Rev. 74 (1948) 1759).
/// With mass_number > 0 the nucleus has its finite size (dipole form factor, R = 1.27 A^0.27
/// fm); 0 gives a point nucleus.
TransportXs wentzel_transport_xs(int z, double t, bool positron, double mass_number = 0);

}  // namespace calo::sim
