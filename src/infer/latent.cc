#include "infer/latent.hh"

#include <cmath>

#include "core/error.hh"
#include "io/checkpoint_file.hh"

namespace calo::infer {

void draw_latent(std::uint64_t seed, std::uint64_t event, double energy_gev, std::span<float> z) {
  Rng rng(seed, event);
  const double scale = energy_gev / 100.0;
  for (float& x : z) x = static_cast<float>(scale * rng.normal());
}

Rng energy_rng(std::uint64_t seed, std::uint64_t event) {
  // Streams 2^63 + i: disjoint from the noise streams (event indices stay below 2^63).
  return Rng(seed, (std::uint64_t{1} << 63) | event);
}

LatentSet read_latent_file(const std::string& path, std::int64_t latent_size) {
  const io::CheckpointReader r(path);
  const std::string where = "latent file " + path;
  CALO_VALIDATE(r.has_dataset("z") && r.has_dataset("energy"),
                where + ": needs datasets z (N, " + std::to_string(latent_size) + ") and energy (N,)");
  const io::ArrayShape zs = r.shape("z"), es = r.shape("energy");
  CALO_VALIDATE(zs.size() == 2 && zs[1] == latent_size && zs[0] > 0,
                where + ": z has shape " + io::array_shape_text(zs) + ", the model needs (N, " +
                    std::to_string(latent_size) + ") with N >= 1");
  CALO_VALIDATE(es.size() == 1 && es[0] == zs[0], where + ": energy has shape " + io::array_shape_text(es) +
                                                      ", z needs (" + std::to_string(zs[0]) + ",)");
  LatentSet set;
  set.latent_size = latent_size;
  set.z = r.read_array("z");
  set.energy_gev = r.read_array("energy");
  for (float x : set.z) CALO_VALIDATE(std::isfinite(x), where + ": z holds a non-finite value");
  for (float e : set.energy_gev)
    CALO_VALIDATE(std::isfinite(e) && e > 0, where + ": energy holds a value that is not a positive number");
  return set;
}

void write_latent_file(const std::string& path, const LatentSet& set, bool overwrite) {
  io::CheckpointWriter w(path, overwrite);
  w.set_attribute("", "format", kLatentFormat);
  w.write_array("z", {set.events(), set.latent_size}, set.z);
  w.write_array("energy", {set.events()}, set.energy_gev);
  w.commit();
}

}  // namespace calo::infer
