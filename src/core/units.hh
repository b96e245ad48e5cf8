#pragma once
// Internal unit system (the Geant4/CLHEP convention): every quantity is a double in these
// units, and a literal is written as value * unit. Energy [MeV], length [mm], mass [g],
// amount [mole]; so cross sections are in mm^2 and macroscopic cross sections in 1/mm.
namespace calo::units {

inline constexpr double MeV = 1.0;
inline constexpr double eV = 1e-6 * MeV;
inline constexpr double keV = 1e-3 * MeV;
inline constexpr double GeV = 1e3 * MeV;
inline constexpr double TeV = 1e6 * MeV;

inline constexpr double mm = 1.0;
inline constexpr double um = 1e-3 * mm;
inline constexpr double cm = 10.0 * mm;
inline constexpr double m = 1000.0 * mm;
inline constexpr double mm2 = mm * mm;
inline constexpr double cm2 = cm * cm;
inline constexpr double mm3 = mm * mm * mm;
inline constexpr double cm3 = cm * cm * cm;
inline constexpr double barn = 1e-22 * mm2;

inline constexpr double g = 1.0;
inline constexpr double mole = 1.0;
inline constexpr double g_per_cm3 = g / cm3;
inline constexpr double g_per_cm2 = g / cm2;

}  // namespace calo::units

namespace calo::constants {
using namespace calo::units;
inline constexpr double pi = 3.14159265358979323846;
inline constexpr double avogadro = 6.02214076e23 / mole;
inline constexpr double electron_mass_c2 = 0.51099895 * MeV;
inline constexpr double fine_structure = 1.0 / 137.035999084;
inline constexpr double classic_electron_radius = 2.8179403262e-12 * mm;
// hbar*c [MeV mm]
inline constexpr double hbarc = 197.3269804e-12 * MeV * mm;
// Thomson cross section 8/3 pi r_e^2
inline constexpr double thomson_xs = 8.0 / 3.0 * pi * classic_electron_radius * classic_electron_radius;
}  // namespace calo::constants
