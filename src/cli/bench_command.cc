// calo3dgan bench simulate: the Monte Carlo's speed, printed beside Geant4's figures.
#include <cstdio>
#include <thread>

#include "cli/commands.hh"
#include "core/data_path.hh"
#include "sim/transport/shower_run.hh"

namespace calo::cli {

namespace {

struct BenchOptions {
  std::string energies = "10,100,500";
  int events = 0;  // 0: per-energy default
  int threads = 0;
  std::string geometry;
};

// Geant4 11.4, standard EM, planar CLIC stack, 0.7 mm cut, one core of the development machine
// (DESIGN.md section 8). Geant4 is not installable here, so these are quoted, not re-measured.
double geant4_seconds(double gev) {
  const double e[] = {10, 50, 100, 200, 500}, s[] = {0.15, 0.76, 1.35, 2.66, 6.09};
  for (int i = 0; i < 5; ++i)
    if (std::abs(gev - e[i]) < 1e-9) return s[i];
  return 0;
}

void run_bench_simulate(const BenchOptions& o) {
  const std::string geometry_path =
      o.geometry.empty() ? sim::shipped_geometry_path(sim::kDefaultGeometry) : o.geometry;
  const sim::ShowerPhysics physics(sim::load_layer_stack(geometry_path), sim::PhysicsConfig{});
  const int all = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = o.threads > 0 ? o.threads : all;
  std::printf("calo3dgan %s  bench simulate: e- in %s, 0.7 mm cut, 25x25 window\n\n", version(),
              physics.stack().name.c_str());
  std::printf(
      "| energy [GeV] | events | CPU s/shower (1 thread) | steps/shower | showers/s (%d threads) | Geant4 "
      "11.4 s/shower (quoted) | speed-up vs Geant4 |\n",
      threads);
  std::printf("|---:|---:|---:|---:|---:|---:|---:|\n");
  std::vector<double> energies;
  for (std::size_t start = 0;;) {
    const auto comma = o.energies.find(',', start);
    energies.push_back(sim::EnergySpectrum::parse(o.energies.substr(start, comma - start)).min_gev());
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (const double gev : energies) {
    const int events = o.events > 0 ? o.events : std::max(8, static_cast<int>(1000.0 / gev));
    sim::RunRequest req;
    req.particle = sim::Particle::electron;
    req.energies = sim::EnergySpectrum::parse(std::to_string(gev));
    req.events = events;
    req.seed = 12345;
    req.threads = 1;
    const sim::RunStats one = sim::run_showers(physics, req, [](const sim::ShowerBatch&) {});
    req.threads = threads;
    req.seed = 54321;
    const sim::RunStats many = sim::run_showers(physics, req, [](const sim::ShowerBatch&) {});
    const double cpu = one.cpu_seconds / events;
    const double g4 = geant4_seconds(gev);
    std::printf("| %g | %d | %.4f | %.0f | %.2f | %s | %s |\n", gev, events, cpu, double(one.steps) / events,
                events / many.wall_seconds, g4 > 0 ? std::to_string(g4).substr(0, 4).c_str() : "-",
                g4 > 0 ? (std::to_string(g4 / cpu).substr(0, 4) + "x").c_str() : "-");
    std::fflush(stdout);
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Speed benchmarks (figures beside their comparators)");
  bench->require_subcommand(1);
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* sim_cmd = bench->add_subcommand("simulate", "Monte Carlo CPU time per shower vs Geant4");
  sim_cmd->add_option("--energy", opts->energies, "Comma-separated energies in GeV")->capture_default_str();
  sim_cmd->add_option("--events", opts->events, "Showers per energy (0 = about 1 TeV worth, at least 8)");
  sim_cmd->add_option("--threads", opts->threads, "Threads of the throughput column (0 = all cores)");
  sim_cmd->add_option("--geometry", opts->geometry, "Layer-stack JSON (default: CLIC ECAL)");
  sim_cmd->callback([opts] { run_bench_simulate(*opts); });
  add_bench_nn_command(*bench);
  add_bench_geant4_command(*bench);
  add_bench_calice_command(*bench);
  add_bench_train_command(*bench);
  add_bench_scaling_command(*bench);
  add_bench_generate_command(*bench);
}

}  // namespace calo::cli
