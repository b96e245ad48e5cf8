#pragma once
#include "core/units.hh"
#include "sim/material/material.hh"

namespace calo::sim::test {
inline Material pure(const char* symbol, double density_g_cm3) {
  return build_material(MaterialSpec{symbol, density_g_cm3 * units::g_per_cm3, {{symbol, 1.0, 0}}, 0});
}
/// CLIC TungstenDens24 (DESIGN.md section 5).
inline Material tungsten_dens24() {
  return build_material(MaterialSpec{
      "TungstenDens24", 17.8 * units::g_per_cm3, {{"W", 0.93, 0}, {"Ni", 0.061, 0}, {"Fe", 0.009, 0}}, 0});
}
}  // namespace calo::sim::test
