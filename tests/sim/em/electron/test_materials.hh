#pragma once
// Pure-element materials for the electron model tests.
#include "core/units.hh"
#include "sim/material/material.hh"

namespace calo::sim::test {

inline Material element(const char* symbol, double density_g_cm3) {
  return build_material({symbol, density_g_cm3 * units::g_per_cm3, {{symbol, 1.0, 0}}, 0});
}
/// [MeV/mm] -> [MeV cm^2/g]
inline double mass_stopping(double dedx, const Material& m) {
  return dedx / (units::MeV / units::cm) / (m.density / units::g_per_cm3);
}

}  // namespace calo::sim::test
