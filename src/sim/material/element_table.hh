#pragma once
#include <string_view>

namespace calo::sim {

/// Tabulated properties of one chemical element.
struct ElementProperties {
  int z = 0;
  std::string_view symbol;
  double molar_mass = 0;       ///< [g/mole] (IUPAC standard atomic weight)
  double mean_excitation = 0;  ///< [MeV] ICRU Report 37/49 recommended I of the element
};

/// Looks an element up by symbol ("W", "Si"); throws InputError naming it if unknown.
const ElementProperties& element_by_symbol(std::string_view symbol);

/// Looks an element up by atomic number; throws InputError if not tabulated.
const ElementProperties& element_by_z(int z);

}  // namespace calo::sim
