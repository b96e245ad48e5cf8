// calo3dgan simulate: classical Monte Carlo showers written as 3DGAN HDF5.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "calo3dgan/shower_file.hh"
#include "cli/commands.hh"
#include "core/data_path.hh"
#include "core/error.hh"
#include "core/progress_bar.hh"
#include "sim/transport/shower_run.hh"

namespace calo::cli {

namespace {

struct SimulateOptions {
  std::string particle = "e-";
  std::string energy = "100";
  long long events = 100;
  long long seed = 1;
  int threads = 0;
  std::string geometry;
  double range_cut_mm = 0.7;
  int window = 25;
  std::string out = "showers.h5";
  bool overwrite = false;
  bool quiet = false;
};

void run_simulate(const SimulateOptions& o) {
  // Validate everything cheap before building tables or simulating anything.
  const sim::Particle particle = sim::parse_particle(o.particle);
  const sim::EnergySpectrum energies = sim::EnergySpectrum::parse(o.energy);
  CALO_VALIDATE(o.events > 0, "invalid --events " + std::to_string(o.events) + " (must be positive)");
  CALO_VALIDATE(o.seed >= 0, "invalid --seed (must be >= 0)");
  CALO_VALIDATE(o.threads >= 0, "invalid --threads (must be >= 0; 0 = all cores)");
  CALO_VALIDATE(o.window == 25 || o.window == 51,
                "invalid --window " + std::to_string(o.window) + " (use 25 or 51)");
  CALO_VALIDATE(std::isfinite(o.range_cut_mm) && o.range_cut_mm > 0,
                "invalid --range-cut (must be a positive length in mm)");
  const std::string geometry_path =
      o.geometry.empty() ? sim::shipped_geometry_path(sim::kDefaultGeometry) : o.geometry;
  sim::LayerStack stack = sim::load_layer_stack(geometry_path);
  io::ShowerWriter::check_writable(o.out, o.overwrite);

  sim::PhysicsConfig config;
  config.range_cut = o.range_cut_mm * units::mm;
  sim::RunRequest req;
  req.particle = particle;
  req.energies = energies;
  req.events = static_cast<std::uint64_t>(o.events);
  req.seed = static_cast<std::uint64_t>(o.seed);
  req.threads =
      o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  req.window = o.window;
  const std::string stack_name = stack.name;
  const int layers = stack.readout_layers;
  const sim::ShowerPhysics physics(std::move(stack), config);

  io::WriterOptions wopts;
  wopts.grid = io::ShowerGrid{std::size_t(o.window), std::size_t(o.window), std::size_t(layers)};
  wopts.overwrite = o.overwrite;
  io::ShowerWriter writer(o.out, wopts);
  writer.set_attribute("generator", std::string("calo3dgan simulate ") + version());
  writer.set_attribute("geometry", stack_name);
  writer.set_attribute("geometry_file", std::filesystem::absolute(geometry_path).string());
  writer.set_attribute("particle", std::string(sim::particle_name(particle)));
  writer.set_attribute("pdg", static_cast<std::int64_t>(sim::pdg_code(particle)));
  writer.set_attribute("energy_gev", energies.text());
  writer.set_attribute("seed", static_cast<std::int64_t>(o.seed));
  writer.set_attribute("range_cut_mm", o.range_cut_mm);
  writer.set_attribute("window", static_cast<std::int64_t>(o.window));
  writer.set_attribute("cell_size_mm", physics.stack().cell_size);
  writer.set_attribute("version", std::string(version()));

  const float pdg = static_cast<float>(sim::pdg_code(particle));
  std::vector<float> pdg_column;
  ProgressBar bar("simulate", req.events, "showers");
  const sim::RunStats stats = sim::run_showers(
      physics, req,
      [&](const sim::ShowerBatch& b) {
        pdg_column.assign(b.count, pdg);
        writer.append(b.ecal.data(), b.energy_gev.data(), pdg_column.data(), b.count);
      },
      [&](std::uint64_t done, std::uint64_t) { bar.update(done); });
  bar.finish();
  writer.commit();
  if (!o.quiet)
    std::printf("wrote %llu %s showers (%s GeV) to %s: %.3f s/shower CPU, %.1f showers/s on %d threads\n",
                (unsigned long long)stats.events, sim::particle_name(particle), energies.text().c_str(),
                o.out.c_str(), stats.cpu_seconds / stats.events, stats.events / stats.wall_seconds,
                req.threads);
}

}  // namespace

void add_simulate_command(CLI::App& app) {
  auto opts = std::make_shared<SimulateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Simulate e-/e+/gamma showers with the classical Monte Carlo and write 3DGAN HDF5");
  cmd->add_option("--particle", opts->particle, "Primary particle: e-, e+ or gamma")->capture_default_str();
  cmd->add_option("--energy", opts->energy,
                  "Primary energy in GeV: 100 | 10,50,100 (cycled) | 2:500 (uniform)")
      ->capture_default_str();
  cmd->add_option("--events", opts->events, "Number of showers")->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Random seed (same seed = identical file for any --threads)")
      ->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Worker threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--geometry", opts->geometry,
                  "Layer-stack JSON (docs/geometry.md); default: the shipped CLIC_o2_v04 ECAL");
  cmd->add_option("--range-cut", opts->range_cut_mm, "Production cut as a range [mm]")->capture_default_str();
  cmd->add_option("--window", opts->window, "Readout window in cells: 25 or 51")->capture_default_str();
  cmd->add_option("--out", opts->out, "Output HDF5 file")->capture_default_str();
  cmd->add_flag("--overwrite", opts->overwrite, "Replace an existing output file");
  cmd->add_flag("--quiet", opts->quiet, "Print nothing on success");
  cmd->callback([opts] { run_simulate(*opts); });
}

std::string version_string() { return std::string("calo3dgan ") + version(); }

}  // namespace calo::cli
