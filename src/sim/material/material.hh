#pragma once
// A material as the physics sees it: elements with number densities and the derived
// quantities every EM model needs. Built once from a MaterialSpec, then read-only.
#include <string>
#include <vector>

namespace calo::sim {

/// One element of a material as the user writes it (geometry JSON).
struct ComponentSpec {
  std::string symbol;
  double mass_fraction = 0;  ///< set this ...
  double atom_count = 0;     ///< ... or this (a formula unit, e.g. H2O: H 2, O 1)
};

struct MaterialSpec {
  std::string name;
  double density = 0;  ///< [g/mm^3] internal units (g_per_cm3 * value)
  std::vector<ComponentSpec> components;
  double mean_excitation = 0;  ///< [MeV]; 0 = Bragg additivity from the elements
};

/// An element inside a built material.
struct ElementInMaterial {
  int z = 0;
  double molar_mass = 0;  ///< [g/mole]
  double mass_fraction = 0;
  double atoms_per_volume = 0;    ///< [1/mm^3]
  double radiation_logs = 0;      ///< Z^2 (L_rad - f(Z)) + Z L'_rad (Tsai), dimensionless
  double coulomb_correction = 0;  ///< f(Z) of Davies, Bethe and Maximon
};

struct Material {
  std::string name;
  double density = 0;  ///< [g/mm^3]
  std::vector<ElementInMaterial> elements;
  double electron_density = 0;  ///< [1/mm^3]
  double mean_excitation = 0;   ///< I [MeV]
  double radiation_length = 0;  ///< X0 [mm] (Tsai, PDG eq. 34.26)
  double plasma_energy = 0;     ///< hbar omega_p [MeV]
  double z_eff = 0;             ///< electron-weighted mean Z (sum n_i Z_i^2 / sum n_i Z_i)
};

/// Builds a material; throws InputError for empty/unknown elements, non-positive density,
/// mixed or non-normalised fractions (|sum - 1| > 1e-3).
Material build_material(const MaterialSpec& spec);

/// f(Z): Coulomb correction of the Bethe-Heitler cross sections (Davies, Bethe, Maximon 1954).
double coulomb_correction(int z);

/// Z^2 (L_rad - f) + Z L'_rad: the atomic factor of Tsai's radiation length (Rev. Mod. Phys.
/// 46 (1974) 815; PDG "Passage of particles through matter", Table 34.2 for Z <= 4).
double tsai_radiation_logs(int z);

/// Radiation length [mm] of a pure element at the given density [g/mm^3].
double radiation_length_of_element(int z, double molar_mass, double density);

}  // namespace calo::sim
