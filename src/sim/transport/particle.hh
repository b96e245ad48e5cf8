#pragma once
#include <string>

#include "core/vec3.hh"

namespace calo::sim {

enum class Particle { gamma, electron, positron };

/// PDG Monte Carlo particle code (22, 11, -11).
int pdg_code(Particle p);
/// "e-", "e+", "gamma" (the CLI spelling).
const char* particle_name(Particle p);
/// Parses the CLI spelling; also accepts "electron", "positron", "photon", "gamma".
Particle parse_particle(const std::string& name);

/// One particle waiting on the stack or being transported.
struct Track {
  Particle type;
  double energy;  ///< kinetic [MeV]
  Vec3 pos;       ///< [mm]
  Vec3 dir;       ///< unit
  int slab;       ///< index of the slab that contains pos
};

}  // namespace calo::sim
