// calo3dgan bench calice: the Monte Carlo against the CALICE Si-W ECAL physics prototype's
// measured electron response (NIM A 608 (2009) 372, arXiv:0811.2354; docs/physics.md
// "CALICE"): showers in data/geometry/calice_si_w_prototype.json at the beam energies,
// energy reconstructed as the prototype's (hits above a MIP threshold, layers weighted by
// their tungsten 1 : 2 : 3), the Gaussian core of each peak, linearity and the resolution fit.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "cli/commands.hh"
#include "core/data_path.hh"
#include "core/error.hh"
#include "physics/calice_prototype.hh"
#include "physics/energy_resolution.hh"
#include "sim/transport/shower_run.hh"

namespace calo::cli {

namespace {

struct CaliceBenchOptions {
  std::string geometry;
  std::vector<double> energies{6, 10, 15, 20, 30, 45};
  long long events = 500;
  long long seed = 1;
  int threads = 1;
  double threshold_mip = 0.5;
};

void run_bench_calice(const CaliceBenchOptions& o) {
  CALO_VALIDATE(o.events >= 10, "invalid --events (must be >= 10)");
  CALO_VALIDATE(o.threads >= 1, "invalid --threads (must be >= 1)");
  CALO_VALIDATE(o.energies.size() >= 2, "invalid --energies (need at least 2)");
  for (double e : o.energies)
    CALO_VALIDATE(std::isfinite(e) && e > 0, "invalid --energies (each must be > 0 GeV)");
  CALO_VALIDATE(std::isfinite(o.threshold_mip) && o.threshold_mip >= 0,
                "invalid --threshold-mip (must be >= 0)");
  const std::string geometry =
      o.geometry.empty() ? sim::shipped_geometry_path("calice_si_w_prototype") : o.geometry;
  const sim::ShowerPhysics physics(sim::load_layer_stack(geometry), sim::PhysicsConfig{});
  const sim::ReadoutGrid grid = sim::readout_for(physics.stack(), 25);

  const double mip_gev = physics::calice::mip_gev();
  const physics::LayerWeightedSum reco =
      physics::calice::reconstruction(std::size_t(grid.layers), o.threshold_mip);

  std::printf(
      "calo3dgan %s  bench calice: e- in %s (%s), %lld showers per energy, seed %lld\n"
      "reconstruction: hits > %.2f MIP (MIP = %.1f keV, the most probable deposit of a beta gamma = 100 "
      "muon in 525 um Si), layer weights 1 : 2 : 3 by module, in MIP\n\n",
      version(), physics.stack().name.c_str(), geometry.c_str(), o.events, o.seed, o.threshold_mip,
      mip_gev * 1e6);
  std::vector<physics::ResolutionPoint> points;
  double cpu = 0;
  for (std::size_t i = 0; i < o.energies.size(); ++i) {
    sim::RunRequest req;
    req.energies = sim::EnergySpectrum::parse(std::to_string(o.energies[i]));
    req.events = static_cast<std::uint64_t>(o.events);
    req.seed = static_cast<std::uint64_t>(o.seed) + i;  // independent showers at each energy
    req.threads = o.threads;
    std::vector<double> rec;
    cpu += sim::run_showers(physics, req, [&](const sim::ShowerBatch& b) {
             for (std::uint64_t s = 0; s < b.count; ++s)
               rec.push_back(reco({b.ecal.data() + s * grid.cells(), grid.cells()}, std::size_t(grid.nx),
                                  std::size_t(grid.ny)) /
                             mip_gev);
           }).cpu_seconds;
    points.push_back({o.energies[i], physics::gaussian_core(rec)});
  }
  const physics::LinearityFit lin = physics::fit_linearity(points);
  std::printf(
      "| E [GeV] | E_rec [MIP] | sigma [MIP] | sigma / E_rec | linearity (E_rec / line - 1) |\n"
      "|---:|---:|---:|---:|---:|\n");
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i].peak;
    std::printf("| %g | %.1f +- %.1f | %.1f +- %.1f | %.2f %% | %+.2f %% |\n", points[i].energy, p.mean,
                p.mean_error, p.sigma, p.sigma_error, 100 * p.sigma / p.mean, 100 * lin.deviation[i]);
  }
  const physics::ResolutionFit fit = physics::fit_resolution(points);
  double worst = 0;
  for (double d : lin.deviation) worst = std::max(worst, std::abs(d));
  std::printf(
      "\nline: E_rec = %.2f MIP/GeV x E %+.1f MIP; largest deviation %.2f %% (CALICE: within about %.0f %%)\n"
      "resolution: sigma/E = (%.2f +- %.2f) %% / sqrt(E) (+) (%.2f +- %.2f) %%, chi2/ndf %.1f / %d\n"
      "CALICE measured:     (%.1f +- %.1f) %% / sqrt(E) (+) (%.1f +- %.1f) %%; stochastic term ratio %.3f\n"
      "\nCPU %.4f s per GeV of showers (%d thread%s)\n",
      lin.slope, lin.offset, 100 * worst, 100 * physics::calice::kLinearity, 100 * fit.stochastic,
      100 * fit.stochastic_error, 100 * fit.constant, 100 * fit.constant_error, fit.chi2, fit.ndf,
      100 * physics::calice::kStochastic, 100 * physics::calice::kStochasticError,
      100 * physics::calice::kConstant, 100 * physics::calice::kConstantError,
      fit.stochastic / physics::calice::kStochastic,
      cpu / (double(o.events) * std::accumulate(o.energies.begin(), o.energies.end(), 0.0)), o.threads,
      o.threads > 1 ? "s" : "");
}

}  // namespace

void add_bench_calice_command(CLI::App& bench) {
  auto opts = std::make_shared<CaliceBenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "calice",
      "Monte Carlo electron resolution and linearity vs the CALICE Si-W ECAL prototype's measurement");
  cmd->add_option("--geometry", opts->geometry,
                  "Layer-stack JSON (default: the shipped calice_si_w_prototype.json)");
  cmd->add_option("--energies", opts->energies, "Beam energies [GeV], comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--events", opts->events, "Showers per energy")->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Random seed of the first energy (the next ones: +1, +2, ...)")
      ->capture_default_str();
  cmd->add_option("--threshold-mip", opts->threshold_mip, "Hit threshold in MIPs")->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Threads (results do not depend on it)")->capture_default_str();
  cmd->callback([opts] { run_bench_calice(*opts); });
}

}  // namespace calo::cli
