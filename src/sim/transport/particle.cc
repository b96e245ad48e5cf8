#include "sim/transport/particle.hh"

#include "core/error.hh"

namespace calo::sim {

int pdg_code(Particle p) {
  switch (p) {
    case Particle::gamma:
      return 22;
    case Particle::electron:
      return 11;
    case Particle::positron:
      return -11;
  }
  return 0;
}

const char* particle_name(Particle p) {
  switch (p) {
    case Particle::gamma:
      return "gamma";
    case Particle::electron:
      return "e-";
    case Particle::positron:
      return "e+";
  }
  return "?";
}

Particle parse_particle(const std::string& name) {
  if (name == "e-" || name == "electron") return Particle::electron;
  if (name == "e+" || name == "positron") return Particle::positron;
  if (name == "gamma" || name == "photon") return Particle::gamma;
  throw InputError("unknown particle '" + name + "' (use e-, e+ or gamma)");
}

}  // namespace calo::sim
