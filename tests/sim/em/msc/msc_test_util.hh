#pragma once
// Shared helpers of the msc tests: reference materials and relativistic kinematics.
#include <cmath>

#include "core/units.hh"
#include "sim/material/material.hh"

namespace calo::sim::test {

// Densities: PDG Atomic and Nuclear Properties (W 19.3, Si 2.329 g/cm3).
inline Material tungsten() { return build_material({"W", 19.3 * units::g_per_cm3, {{"W", 1.0, 0}}, 0}); }
inline Material silicon() {
  return build_material({"Si", 2.329 * units::g_per_cm3, {{"Si", 1.0, 0}}, 173.0 * units::eV});
}

/// (p c)^2 [MeV^2] and beta^2 of an electron of kinetic energy t [MeV].
inline double pc2_of(double t) { return t * (t + 2.0 * constants::electron_mass_c2); }
inline double beta2_of(double t) {
  const double e = t + constants::electron_mass_c2;
  return pc2_of(t) / (e * e);
}

/// Highland's formula (PDG RPP, "Passage of particles through matter", eq. 34.16, after
/// Lynch & Dahl NIM B58 (1991) 6): theta0 = 13.6 MeV/(beta c p) sqrt(x/X0)
/// (1 + 0.038 ln(x z^2/(X0 beta^2))), z = 1; accurate to 11 % for 1e-3 < x/X0 < 100.
inline double highland_theta0(double t, double x, double x0) {
  const double beta2 = beta2_of(t);
  const double pbc = pc2_of(t) / (t + constants::electron_mass_c2);
  return 13.6 / pbc * std::sqrt(x / x0) * (1.0 + 0.038 * std::log(x / (x0 * beta2)));
}

}  // namespace calo::sim::test
