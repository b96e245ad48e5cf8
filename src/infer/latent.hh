#pragma once
// Generator inputs per event, independent of batching, streams and threads: event i of a
// run with seed s has the latent vector
//   z_i = E_i / 100 GeV x (n_1 ... n_L),  n_k the first L standard normals of Rng(s, i)
// (core/rng.hh: xoshiro256** seeded from (s, i), Marsaglia polar normals, computed in double
// and rounded to float once), and, for an energy range, E_i drawn from its own stream
// energy_rng(s, i), so the same seed gives the same noise whatever the energies.
//
// Latent files (--latent, --save-latent; docs/generate.md): HDF5 with
//   z       (N, L) float32  the exact generator inputs
//   energy  (N,)   float32  primary energy [GeV], written to the showers' file
// and the root attribute format = "calo3dgan-latent-1" (not required on reading).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/rng.hh"

namespace calo::infer {

inline constexpr const char* kLatentFormat = "calo3dgan-latent-1";

/// z (size L) for event `event` of a run with `seed` at energy_gev.
void draw_latent(std::uint64_t seed, std::uint64_t event, double energy_gev, std::span<float> z);

/// The random stream of event `event`'s energy (a different stream from its noise).
Rng energy_rng(std::uint64_t seed, std::uint64_t event);

struct LatentSet {
  std::int64_t latent_size = 0;
  std::vector<float> z;           ///< [events][latent_size]
  std::vector<float> energy_gev;  ///< [events]
  std::int64_t events() const { return static_cast<std::int64_t>(energy_gev.size()); }
};

/// Reads a latent file. InputError naming the file when it is missing or unreadable, lacks
/// z or energy, z is not (N, latent_size), energy not (N,), or holds a non-finite value or
/// an energy <= 0.
LatentSet read_latent_file(const std::string& path, std::int64_t latent_size);
/// Writes one atomically (InputError when path exists and !overwrite).
void write_latent_file(const std::string& path, const LatentSet& set, bool overwrite);

}  // namespace calo::infer
