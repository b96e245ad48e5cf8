// Embedding calo3dgan's generator: load a checkpoint once, then one shower per particle, as
// a Geant4 fast-simulation model's DoIt would (docs/embedding.md), and a batch for mass
// production. Prints the showers' deposited energy and longitudinal profile.
#include <calo3dgan/error.hh>
#include <calo3dgan/generator.hh>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: shower_generator_example <checkpoint.h5> [energy GeV]\n");
    return 2;
  }
  try {
    // Once per application (or per Geant4 worker thread: one ShowerGenerator may also be
    // shared, its calls are thread-safe).
    const calo::ShowerGenerator gen(argv[1], {.threads = 1});
    const float energy = argc == 3 ? std::stof(argv[2]) : 50.f;
    const auto [nx, ny, nz] = gen.grid();
    const auto [lo, hi] = gen.energy_range_gev();
    std::printf("model %s: %zux%zux%zu cells, trained on %g-%g GeV\n", gen.model_name().c_str(), nx, ny, nz,
                lo, hi);

    // Per particle: energy in, cell energies out. (seed, event) pick the shower.
    std::vector<float> cells(gen.cells());
    gen.generate_one(energy, /*seed=*/1, /*event=*/0, cells.data());
    std::vector<double> layer(nz, 0.0);
    double total = 0;
    for (std::size_t x = 0; x < nx; ++x)
      for (std::size_t y = 0; y < ny; ++y)
        for (std::size_t z = 0; z < nz; ++z) {
          const float e = cells[(x * ny + y) * nz + z];  // [x][y][layer], GeV
          layer[z] += e;
          total += e;
        }
    std::printf("one %g GeV shower: %.4g GeV deposited; layers:", energy, total);
    for (double e : layer) std::printf(" %.3g", e);
    std::printf("\n");

    // Mass production: a batch into the caller's memory.
    const std::vector<float> energies = {10, 50, 100, 200};
    std::vector<float> batch(energies.size() * gen.cells());
    gen.generate(energies.data(), energies.size(), /*seed=*/1, /*first_event=*/1, batch.data());
    for (std::size_t i = 0; i < energies.size(); ++i) {
      double sum = 0;
      for (std::size_t c = 0; c < gen.cells(); ++c) sum += batch[i * gen.cells() + c];
      std::printf("batch shower %zu: %g GeV primary, %.4g GeV deposited\n", i, energies[i], sum);
    }
  } catch (const calo::InputError& e) {
    std::fprintf(stderr, "shower_generator_example: %s\n", e.what());
    return 2;
  }
  return 0;
}
