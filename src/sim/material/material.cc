#include "sim/material/material.hh"

#include <cmath>
#include <sstream>

#include "core/error.hh"
#include "core/units.hh"
#include "sim/material/element_table.hh"

namespace calo::sim {

using namespace calo::constants;

double coulomb_correction(int z) {
  const double a2 = std::pow(fine_structure * z, 2);
  return a2 * (1.0 / (1.0 + a2) + 0.20206 - 0.0369 * a2 + 0.0083 * a2 * a2 - 0.002 * a2 * a2 * a2);
}

double tsai_radiation_logs(int z) {
  double l_rad, l_rad_prime;
  switch (z) {  // Tsai's values for the light elements, where Thomas-Fermi fails
    case 1:
      l_rad = 5.31;
      l_rad_prime = 6.144;
      break;
    case 2:
      l_rad = 4.79;
      l_rad_prime = 5.621;
      break;
    case 3:
      l_rad = 4.74;
      l_rad_prime = 5.805;
      break;
    case 4:
      l_rad = 4.71;
      l_rad_prime = 5.924;
      break;
    default:
      l_rad = std::log(184.15 * std::pow(z, -1.0 / 3.0));
      l_rad_prime = std::log(1194.0 * std::pow(z, -2.0 / 3.0));
  }
  return double(z) * z * (l_rad - coulomb_correction(z)) + z * l_rad_prime;
}

double radiation_length_of_element(int z, double molar_mass, double density) {
  const double re2 = classic_electron_radius * classic_electron_radius;
  const double per_atom = 4.0 * fine_structure * re2 * tsai_radiation_logs(z);  // [mm^2]
  return 1.0 / (per_atom * density * avogadro / molar_mass);
}

Material build_material(const MaterialSpec& spec) {
  const std::string where = "material '" + spec.name + "'";
  CALO_VALIDATE(!spec.name.empty(), "material without a name (every material needs \"name\")");
  CALO_VALIDATE(std::isfinite(spec.density) && spec.density > 0, where + ": density must be positive");
  CALO_VALIDATE(!spec.components.empty(), where + ": no elements");

  bool by_mass = false, by_count = false;
  for (const auto& c : spec.components) {
    CALO_VALIDATE(!(c.mass_fraction > 0 && c.atom_count > 0),
                  where + ": element " + c.symbol + " has both a mass fraction and an atom count");
    CALO_VALIDATE(c.mass_fraction > 0 || c.atom_count > 0,
                  where + ": element " + c.symbol + " needs a positive mass fraction or atom count");
    by_mass |= c.mass_fraction > 0;
    by_count |= c.atom_count > 0;
  }
  CALO_VALIDATE(!(by_mass && by_count),
                where + ": mixes mass fractions and atom counts (use one kind for all elements)");

  Material m;
  m.name = spec.name;
  m.density = spec.density;
  double total = 0;
  for (const auto& c : spec.components) {
    const auto& e = element_by_symbol(c.symbol);
    ElementInMaterial el;
    el.z = e.z;
    el.molar_mass = e.molar_mass;
    el.mass_fraction = by_mass ? c.mass_fraction : c.atom_count * e.molar_mass;
    total += el.mass_fraction;
    m.elements.push_back(el);
  }
  if (by_mass) {
    std::ostringstream msg;
    msg << where << ": mass fractions sum to " << total << " (must be 1 within 1e-3)";
    CALO_VALIDATE(std::fabs(total - 1.0) <= 1e-3, msg.str());
  }

  double inv_x0 = 0, log_i_sum = 0, z2_sum = 0;
  for (auto& el : m.elements) {
    el.mass_fraction /= total;  // exact normalisation after the tolerance check
    el.atoms_per_volume = m.density * avogadro * el.mass_fraction / el.molar_mass;
    el.coulomb_correction = coulomb_correction(el.z);
    el.radiation_logs = tsai_radiation_logs(el.z);
    const double electrons = el.atoms_per_volume * el.z;
    m.electron_density += electrons;
    log_i_sum += electrons * std::log(element_by_z(el.z).mean_excitation);
    z2_sum += electrons * el.z;
    inv_x0 += el.atoms_per_volume * 4.0 * fine_structure * classic_electron_radius * classic_electron_radius *
              el.radiation_logs;
  }
  m.radiation_length = 1.0 / inv_x0;
  m.mean_excitation =
      spec.mean_excitation > 0 ? spec.mean_excitation : std::exp(log_i_sum / m.electron_density);
  m.z_eff = z2_sum / m.electron_density;
  m.plasma_energy = hbarc * std::sqrt(4.0 * pi * m.electron_density * classic_electron_radius);
  return m;
}

}  // namespace calo::sim
