#pragma once
// A run of many showers spread over threads. Events are simulated in batches; each event has
// its own random stream (seed, event index), so the output is bit-identical for any thread
// count. Each finished batch is handed, in event order, to a sink (the HDF5 writer).
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/transport/energy_spectrum.hh"
#include "sim/transport/shower_transport.hh"

namespace calo::sim {

struct RunRequest {
  Particle particle = Particle::electron;
  EnergySpectrum energies = EnergySpectrum::parse("100");
  std::uint64_t events = 100;
  std::uint64_t seed = 1;
  int threads = 1;
  int window = 25;  ///< readout window nx = ny (25 or 51)
  std::uint64_t batch_events = 128;
};

/// Consecutive events of a run, in the 3DGAN layout.
struct ShowerBatch {
  std::uint64_t first_event = 0;
  std::uint64_t count = 0;
  std::vector<float> ecal;        ///< [GeV], (count, nx, ny, layers) row-major
  std::vector<float> energy_gev;  ///< primary energy [GeV]
  std::vector<double> deposit;    ///< total deposited energy per event [MeV] (diagnostics)
  std::vector<double> escaped;    ///< escaped energy per event [MeV]
  std::vector<double> balance;    ///< rest-mass balance per event [MeV]
  std::vector<long> steps;        ///< transport steps per event
};

struct RunStats {
  double cpu_seconds = 0;  ///< summed over threads
  double wall_seconds = 0;
  std::uint64_t events = 0;
  long steps = 0;
};

using BatchSink = std::function<void(const ShowerBatch&)>;
using ProgressHook = std::function<void(std::uint64_t done, std::uint64_t total)>;

ReadoutGrid readout_for(const LayerStack& stack, int window);

/// Runs the request; `sink` gets every batch in order. Returns timing.
RunStats run_showers(const ShowerPhysics& physics, const RunRequest& request, const BatchSink& sink,
                     const ProgressHook& progress = {});

}  // namespace calo::sim
