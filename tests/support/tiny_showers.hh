#pragma once
// The shower file of the training-loop CLI tests (tests/cli/train_interrupt, train_mpi): 60
// events of 4x4x4 cells for kTinyModelSpec, energies 10, 14, ..., 246 GeV, half the cells
// exponential deposits of ~0.05 % of the energy, from a fixed seed.
#include <string>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "core/rng.hh"

namespace calo::test {

inline void write_tiny_showers(const std::string& path) {
  io::ShowerWriter w(path, {.grid = {4, 4, 4}});
  Rng rng(3, 0);
  std::vector<float> cells(64);
  for (int e = 0; e < 60; ++e) {
    const float energy = 10.f + 4.f * e, pdg = 11;
    for (float& c : cells)
      c = rng.uniform() < 0.5 ? static_cast<float>(0.0005 * energy * rng.exponential()) : 0.f;
    w.append(cells.data(), &energy, &pdg, 1);
  }
  w.commit();
}

}  // namespace calo::test
