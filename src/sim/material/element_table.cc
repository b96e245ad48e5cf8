#include "sim/material/element_table.hh"

#include <array>
#include <string>

#include "core/error.hh"
#include "core/units.hh"

namespace calo::sim {
namespace {

using units::eV;

// Standard atomic weights (IUPAC 2021, abridged) and mean excitation energies I from ICRU
// Report 37 (1984) as used by NIST ESTAR. The list covers the materials of calorimetry and
// electronics; extend it here when a geometry needs another element.
constexpr std::array kElements = {
    ElementProperties{1, "H", 1.008, 19.2 * eV},      ElementProperties{2, "He", 4.0026, 41.8 * eV},
    ElementProperties{3, "Li", 6.94, 40.0 * eV},      ElementProperties{4, "Be", 9.0122, 63.7 * eV},
    ElementProperties{5, "B", 10.81, 76.0 * eV},      ElementProperties{6, "C", 12.011, 78.0 * eV},
    ElementProperties{7, "N", 14.007, 82.0 * eV},     ElementProperties{8, "O", 15.999, 95.0 * eV},
    ElementProperties{9, "F", 18.998, 115.0 * eV},    ElementProperties{10, "Ne", 20.180, 137.0 * eV},
    ElementProperties{11, "Na", 22.990, 149.0 * eV},  ElementProperties{12, "Mg", 24.305, 156.0 * eV},
    ElementProperties{13, "Al", 26.982, 166.0 * eV},  ElementProperties{14, "Si", 28.085, 173.0 * eV},
    ElementProperties{15, "P", 30.974, 173.0 * eV},   ElementProperties{16, "S", 32.06, 180.0 * eV},
    ElementProperties{17, "Cl", 35.45, 174.0 * eV},   ElementProperties{18, "Ar", 39.948, 188.0 * eV},
    ElementProperties{19, "K", 39.098, 190.0 * eV},   ElementProperties{20, "Ca", 40.078, 191.0 * eV},
    ElementProperties{22, "Ti", 47.867, 233.0 * eV},  ElementProperties{24, "Cr", 51.996, 257.0 * eV},
    ElementProperties{25, "Mn", 54.938, 272.0 * eV},  ElementProperties{26, "Fe", 55.845, 286.0 * eV},
    ElementProperties{27, "Co", 58.933, 297.0 * eV},  ElementProperties{28, "Ni", 58.693, 311.0 * eV},
    ElementProperties{29, "Cu", 63.546, 322.0 * eV},  ElementProperties{30, "Zn", 65.38, 330.0 * eV},
    ElementProperties{32, "Ge", 72.630, 350.0 * eV},  ElementProperties{47, "Ag", 107.87, 470.0 * eV},
    ElementProperties{50, "Sn", 118.71, 488.0 * eV},  ElementProperties{53, "I", 126.90, 491.0 * eV},
    ElementProperties{55, "Cs", 132.91, 488.0 * eV},  ElementProperties{56, "Ba", 137.33, 491.0 * eV},
    ElementProperties{73, "Ta", 180.948, 718.0 * eV}, ElementProperties{74, "W", 183.84, 727.0 * eV},
    ElementProperties{78, "Pt", 195.08, 790.0 * eV},  ElementProperties{79, "Au", 196.97, 790.0 * eV},
    ElementProperties{82, "Pb", 207.2, 823.0 * eV},   ElementProperties{83, "Bi", 208.98, 823.0 * eV},
    ElementProperties{92, "U", 238.03, 890.0 * eV},
};

}  // namespace

const ElementProperties& element_by_symbol(std::string_view symbol) {
  for (const auto& e : kElements)
    if (e.symbol == symbol) return e;
  throw InputError("unknown element '" + std::string(symbol) +
                   "' (not in the element table of src/sim/material/element_table.cc)");
}

const ElementProperties& element_by_z(int z) {
  for (const auto& e : kElements)
    if (e.z == z) return e;
  throw InputError("element Z=" + std::to_string(z) + " is not tabulated");
}

}  // namespace calo::sim
