#pragma once
// Shower generation with a trained calo3dgan generator, for embedding (e.g. in a Geant4
// fast-simulation model, docs/embedding.md). Load a checkpoint once, then ask for showers:
//
//   calo::ShowerGenerator gen("data/models/3dgan-16.h5", {.threads = 1});
//   std::vector<float> cells(gen.cells());
//   gen.generate_one(50.0f, /*seed=*/7, /*event=*/0, cells.data());   // one 50 GeV shower
//
//   std::vector<float> energies = {10, 20, 30}, out(3 * gen.cells());
//   gen.generate(energies.data(), 3, /*seed=*/7, /*first_event=*/100, out.data());  // a batch
//
// Output: per shower gen.cells() = nx * ny * nz floats, deposited energy [GeV] per cell in
// the order [x][y][layer] (layer 0 at the front face), as in the 3DGAN files
// (calo3dgan/shower_file.hh). Showers are centred on the particle's entry point: cell
// (nx/2, ny/2) of layer 0 is the one the primary enters.
//
// Randomness: the shower of (seed, event) is a pure function of them and of the energy
// (its latent vector is drawn from its own stream, docs/generate.md): the same arguments
// give the same cells on any thread and in any order. Use a distinct event number per
// shower (a Geant4 event ID times a per-event counter, say).
//
// Threads: every generating member is const and safe to call from several threads at once
// on one ShowerGenerator. Each concurrent call runs on an engine of its own (a oneDNN context
// with `threads` OpenMP threads and the inference graph, ~12 MB), taken from a pool that
// grows to the largest number of simultaneous calls; the first call of a batch size on an
// engine plans it (milliseconds), later calls reuse the plan and allocate nothing large.
// Each batch size keeps its plan and buffers (tens of MB at n = 128): use a few sizes, not
// every n from 1 to 1000.
// There is no global state: two ShowerGenerators are independent.
//
// Errors: calo::InputError (calo3dgan/error.hh) for a missing, corrupt or incompatible
// checkpoint and for bad arguments (energy <= 0 or not finite, n == 0); calo::RuntimeError for
// failures of the environment.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "calo3dgan/error.hh"

namespace calo {

struct GeneratorOptions {
  /// OpenMP threads of each concurrent call (1 suits one call per Geant4 worker thread).
  int threads = 1;
  /// Energies outside the range the model was trained on throw InputError instead of being
  /// generated (the GAN extrapolates there).
  bool strict = false;
  /// bf16 convolutions (f32 accumulation) where the CPU has AVX-512 BF16, else f32 (see
  /// bf16()). About 0.5 % of a cell's value from the f32 shower (docs/generate.md).
  bool bf16 = false;
  /// int8 for the largest convolution (AVX-512 VNNI: each shower's activations over their own
  /// range, weights per output channel) and bf16 for the others where the CPU has AVX-512
  /// BF16; f32 where it lacks VNNI (see int8()). Takes precedence over bf16 (docs/generate.md).
  bool int8 = false;
};

class ShowerGenerator {
 public:
  /// Loads the generator of a calo3dgan checkpoint (docs/checkpoint.md).
  explicit ShowerGenerator(const std::string& checkpoint, GeneratorOptions options = {});
  ~ShowerGenerator();
  ShowerGenerator(ShowerGenerator&&) noexcept;
  ShowerGenerator& operator=(ShowerGenerator&&) noexcept;
  ShowerGenerator(const ShowerGenerator&) = delete;
  ShowerGenerator& operator=(const ShowerGenerator&) = delete;

  /// {nx, ny, nz}: transverse cells and layers of one shower (25, 25, 25 for 3dgan-16).
  std::array<std::size_t, 3> grid() const;
  /// Floats per shower: nx * ny * nz.
  std::size_t cells() const;
  /// Length of a latent vector (the generator's input).
  std::size_t latent_size() const;
  /// The primary energies [GeV] the model was trained on.
  std::array<double, 2> energy_range_gev() const;
  /// True when the convolutions run in bf16 (asked for, and supported by the CPU).
  bool bf16() const;
  /// True when the int8 precision runs (asked for, and supported by the CPU).
  bool int8() const;
  /// The model spec's name (e.g. "3dgan-16").
  const std::string& model_name() const;

  /// n showers into out [n][cells()]: shower i has energy energies_gev[i] and the latent
  /// vector of (seed, first_event + i).
  void generate(const float* energies_gev, std::size_t n, std::uint64_t seed, std::uint64_t first_event,
                float* out) const;
  /// One shower (n = 1 of generate()).
  void generate_one(float energy_gev, std::uint64_t seed, std::uint64_t event, float* out) const;
  /// n showers from exact generator inputs z [n][latent_size()] (z = E / 100 GeV x noise).
  void generate_from_latent(const float* z, std::size_t n, float* out) const;
  /// The latent vector generate() uses for (seed, event) at energy_gev: z [latent_size()].
  void draw_latent(float energy_gev, std::uint64_t seed, std::uint64_t event, float* z) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace calo
