// calo3dgan bench geant4: reruns the comparison of the Geant4 development set
// (../shared/geant4-reference/<stack>_<E>.json): simulates showers of the same stack and
// energy and prints every observable beside Geant4's, with the ratio and issue 10's tolerance.
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "calo3dgan/shower_file.hh"
#include "cli/commands.hh"
#include "core/data_path.hh"
#include "core/error.hh"
#include "core/units.hh"
#include "physics/geant4_summary.hh"
#include "physics/layer_spectrum.hh"
#include "physics/statistics.hh"
#include "sim/transport/shower_run.hh"

namespace calo::cli {

namespace {

struct Geant4BenchOptions {
  std::string reference, geometry;
  long long events = 100;
  long long seed = 1;
  int threads = 1;
  bool profiles = false;
  bool urban = false;
  double energy = 0;                  ///< GeV; 0: the reference's energy
  int layer_spectrum = -1;            ///< readout layer whose deposit spectrum is printed (-1: none)
  std::vector<std::string> settings;  ///< --set name=value (transport settings, for convergence studies)
};

/// Applies "name=value" to the transport settings a convergence study varies (lengths in mm).
void apply_setting(sim::PhysicsConfig& c, const std::string& kv) {
  const auto eq = kv.find('=');
  CALO_VALIDATE(eq != std::string::npos, "invalid --set '" + kv + "' (want name=value)");
  const std::string name = kv.substr(0, eq);
  double value = 0;
  std::size_t used = 0;
  const std::string text = kv.substr(eq + 1);
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  CALO_VALIDATE(used > 0 && used == text.size(), "invalid --set '" + kv + "' (value is not a number)");
  // 0 only where it means "off" (range rejection); every length and fraction must be > 0
  const bool zero_allowed =
      name == "range_rejection_mev" || name == "brems_g4_parametrized" || name == "brems_param_low_mev";
  CALO_VALIDATE(std::isfinite(value) && (value > 0 || (zero_allowed && value == 0)),
                "invalid --set '" + kv + (zero_allowed ? "' (must be >= 0)" : "' (must be > 0)"));
  if (name == "dr_over_range")
    c.dr_over_range = value;
  else if (name == "final_range_mm")
    c.final_range = value * units::mm;
  else if (name == "msc_range_factor")
    c.msc_range_factor = value;
  else if (name == "msc_safety_factor")
    c.msc_safety_factor = value;
  else if (name == "range_cut_mm")
    c.range_cut = value * units::mm;
  else if (name == "range_rejection_mev")
    c.range_rejection_energy = value * units::MeV;
  else if (name == "brems_g4_parametrized")
    c.brems_geant4_parametrized = value != 0;
  else if (name == "brems_param_low_mev")
    c.brems_parametrized_low_limit = value * units::MeV;
  else
    CALO_VALIDATE(false,
                  "unknown --set '" + name +
                      "' (dr_over_range, final_range_mm, msc_range_factor, msc_safety_factor, "
                      "range_cut_mm, range_rejection_mev, brems_g4_parametrized, brems_param_low_mev)");
}

/// The stack of a development-set file: "clic" is the shipped default, "wsi" the
/// wsi_geometry.json beside the reference (its README).
std::string geometry_for(const std::string& name, const std::string& reference) {
  if (name == "clic") return sim::shipped_geometry_path(sim::kDefaultGeometry);
  const auto beside = std::filesystem::path(reference).parent_path() / (name + "_geometry.json");
  CALO_VALIDATE(std::filesystem::exists(beside),
                "no geometry for stack '" + name + "' (looked for " + beside.string() + "; pass --geometry)");
  return beside.string();
}

/// The absorber: the densest material of the stack (tungsten in both development stacks).
std::size_t absorber_material(const sim::LayerStack& stack) {
  std::size_t best = 0;
  for (std::size_t m = 1; m < stack.materials.size(); ++m)
    if (stack.materials[m].density > stack.materials[best].density) best = m;
  return best;
}

/// The showers beside a development-set summary: <stack>_<E>.h5 next to <stack>_<E>.json.
std::string showers_beside(const std::string& reference) {
  return std::filesystem::path(reference).replace_extension(".h5").string();
}

/// The deposit spectrum of one layer, shower by shower [MeV]: quantiles and a histogram in
/// doubling bins, ours beside Geant4's when there is a Geant4 set (`g4` non-null).
void print_layer_spectrum(int layer, const physics::LayerSpectrum& ours, const physics::LayerSpectrum* g4) {
  const double qs[] = {0.1, 0.25, 0.5, 0.75, 0.9, 0.99};
  auto mean = [](const std::vector<double>& v) { return physics::mean_std(v).mean; };
  const std::vector<double> edges = {0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 0.8, 1.2, 1.6, 2.4, 3.2, 4.8, 6.4};
  auto block = [&](const char* what, const std::vector<double>& a, const std::vector<double>* b) {
    std::printf("\n| layer %d, %s [MeV] | calo3dgan |%s\n|---|---:|%s\n", layer, what,
                b ? " Geant4 | ratio |" : "", b ? "---:|---:|" : "");
    auto row = [&](const char* name, double x, double y) {
      if (b)
        std::printf("| %s | %.4f | %.4f | %.3f |\n", name, x, y, y > 0 ? x / y : NAN);
      else
        std::printf("| %s | %.4f |\n", name, x);
    };
    row("mean", mean(a), b ? mean(*b) : 0);
    for (const double q : qs) {
      char name[32];
      std::snprintf(name, sizeof name, "%g %% quantile", 100 * q);
      row(name, physics::quantile(a, q), b ? physics::quantile(*b, q) : 0);
    }
    const auto fa = physics::binned_fractions(a, edges);
    const auto fb = b ? physics::binned_fractions(*b, edges) : std::vector<double>{};
    for (std::size_t i = 0; i < fa.size(); ++i) {
      char name[48];
      if (i == 0)
        std::snprintf(name, sizeof name, "share below %g", edges[0]);
      else if (i == edges.size())
        std::snprintf(name, sizeof name, "share above %g", edges.back());
      else
        std::snprintf(name, sizeof name, "share %g-%g", edges[i - 1], edges[i]);
      row(name, fa[i], b ? fb[i] : 0);
    }
  };
  block("window sum", ours.window(), g4 ? &g4->window() : nullptr);
  block("central cell", ours.central(), g4 ? &g4->central() : nullptr);
}

void run_bench_geant4(const Geant4BenchOptions& o) {
  CALO_VALIDATE(o.events >= 2, "invalid --events (must be >= 2)");
  CALO_VALIDATE(o.threads >= 1, "invalid --threads (must be >= 1)");
  CALO_VALIDATE(o.energy >= 0 && std::isfinite(o.energy), "invalid --energy (must be > 0 GeV)");
  sim::PhysicsConfig config;  // settings first: a bad --set is refused before any work
  config.msc_urban_angular = o.urban;
  for (const auto& kv : o.settings) apply_setting(config, kv);
  std::string stack_name;
  double gev = 0;
  const physics::ShowerSummary g4 = physics::read_geant4_summary(o.reference, &stack_name, &gev);
  const bool compare = o.energy == 0 || o.energy == gev;
  if (o.energy > 0) gev = o.energy;
  const std::string geometry = o.geometry.empty() ? geometry_for(stack_name, o.reference) : o.geometry;
  const sim::ShowerPhysics physics(sim::load_layer_stack(geometry), config);
  sim::RunRequest req;
  req.particle = sim::Particle::electron;
  req.energies = sim::EnergySpectrum::parse(std::to_string(gev));
  req.events = static_cast<std::uint64_t>(o.events);
  req.seed = static_cast<std::uint64_t>(o.seed);
  req.threads = o.threads;
  const sim::ReadoutGrid grid = sim::readout_for(physics.stack(), req.window);
  // Geant4's showers for the spectrum, read before any simulation so that a missing or
  // mismatched file is refused at once.
  std::unique_ptr<physics::LayerSpectrum> g4_layer;
  if (o.layer_spectrum >= 0) {
    CALO_VALIDATE(o.layer_spectrum < grid.layers, "invalid --layer-spectrum " +
                                                      std::to_string(o.layer_spectrum) + " (the stack has " +
                                                      std::to_string(grid.layers) + " layers)");
    if (compare) {
      const std::string h5 = showers_beside(o.reference);
      CALO_VALIDATE(std::filesystem::exists(h5),
                    "no Geant4 showers for --layer-spectrum (looked for " + h5 + ")");
      const io::ShowerReader reader(h5);
      const auto& g = reader.grid();
      CALO_VALIDATE(
          g.nx == std::size_t(grid.nx) && g.ny == std::size_t(grid.ny) && g.nz == std::size_t(grid.layers),
          "Geant4 showers " + h5 + " do not have the stack's readout grid");
      g4_layer =
          std::make_unique<physics::LayerSpectrum>(g.nx, g.ny, g.nz, o.layer_spectrum, 1e3);  // GeV -> MeV
      std::vector<float> cells, energies;
      reader.read(0, reader.events(), cells, energies);
      for (std::size_t i = 0; i < reader.events(); ++i) g4_layer->add(cells.data() + i * g.nx * g.ny * g.nz);
    }
  }

  physics::SummaryAccumulator acc(grid.nx, grid.ny, grid.layers);
  physics::LayerSpectrum our_layer(std::size_t(grid.nx), std::size_t(grid.ny), std::size_t(grid.layers),
                                   static_cast<std::size_t>(std::max(o.layer_spectrum, 0)),
                                   1e3);  // GeV -> MeV
  const std::size_t n_materials = physics.stack().materials.size();
  std::vector<double> per_material(n_materials, 0.0);  // summed over showers, / E [1]
  const std::size_t absorber = absorber_material(physics.stack());
  const sim::RunStats stats = sim::run_showers(physics, req, [&](const sim::ShowerBatch& b) {
    const std::size_t cells = grid.cells();
    for (std::uint64_t i = 0; i < b.count; ++i) {
      const double* m_dep = b.material.data() + i * n_materials;
      for (std::size_t m = 0; m < n_materials; ++m) per_material[m] += m_dep[m] * 1e-3 / b.energy_gev[i];
      acc.add(b.ecal.data() + i * cells, b.energy_gev[i], b.sensitive[i] * 1e-3, m_dep[absorber] * 1e-3,
              b.deposit[i] * 1e-3);
      if (o.layer_spectrum >= 0) our_layer.add(b.ecal.data() + i * cells);
    }
  });
  const physics::ShowerSummary ours = acc.result();
  if (!compare) {  // no Geant4 file at this energy: our observables only (the stack is the reference's)
    std::printf(
        "calo3dgan %s  bench geant4: %g GeV e- in %s (%s), %llu showers, seed %lld; no Geant4 summary at "
        "this energy (stack taken from %s)\n\n",
        version(), gev, physics.stack().name.c_str(), geometry.c_str(), (unsigned long long)ours.events,
        o.seed, o.reference.c_str());
    const double err = ours.window_mean * ours.window_rel_rms / std::sqrt(double(ours.events));
    std::printf("| observable | calo3dgan |\n|---|---:|\n");
    std::printf("| window sum / E | %.3f +- %.3f %% |\n|   its relative rms | %.4f |\n",
                100 * ours.window_mean, 100 * err, ours.window_rel_rms);
    std::printf("| all Si / E | %.5f |\n| absorber / E | %.5f |\n| all material / E | %.5f |\n",
                ours.si_total, ours.absorber_total, ours.all_total);
    std::printf(
        "| x width (2nd moment) [cells] | %.4f |\n| hits > 1e-4 GeV | %.1f |\n| hits > 3e-4 GeV | %.1f |\n",
        ours.x2_mean, ours.hits_1e4, ours.hits_3e4);
    std::printf("| shower max [layer] | %d |\n", ours.shower_max_layer);
    if (o.layer_spectrum >= 0) print_layer_spectrum(o.layer_spectrum, our_layer, nullptr);
    std::printf("\nCPU %.4f s/shower (%d thread%s)\n", stats.cpu_seconds / double(ours.events), o.threads,
                o.threads > 1 ? "s" : "");
    return;
  }

  std::printf(
      "calo3dgan %s  bench geant4: %g GeV e- in %s (%s), %llu showers, seed %lld; Geant4 11.4: "
      "%zu showers (%s)\n\n",
      version(), gev, physics.stack().name.c_str(), geometry.c_str(), (unsigned long long)ours.events, o.seed,
      g4.events, o.reference.c_str());
  std::printf(
      "| observable | calo3dgan | Geant4 | deviation | tolerance | |\n|---|---:|---:|---:|---:|---|\n");
  for (const auto& r : physics::compare_summaries(ours, g4)) {
    char a[32] = "", b[32] = "", tol[32] = "-";
    if (std::isfinite(r.ours)) std::snprintf(a, sizeof a, "%.5g", r.ours);
    if (std::isfinite(r.geant4)) std::snprintf(b, sizeof b, "%.5g", r.geant4);
    if (r.tolerance > 0) std::snprintf(tol, sizeof tol, "%.0f %%", 100 * r.tolerance);
    const bool integer = r.name.rfind("shower max", 0) == 0;
    std::printf("| %s | %s | %s | %+.*f%s | %s | %s |\n", r.name.c_str(), a, b, integer ? 0 : 1,
                integer ? r.deviation : 100 * r.deviation, integer ? "" : " %", tol,
                r.tolerance > 0 ? (r.pass() ? "ok" : "**out**") : "");
  }
  if (o.profiles) {  // bin by bin, each profile over the primary energy [1]
    auto table = [&](const char* what, const std::vector<double>& a, const std::vector<double>& b) {
      std::printf("\n| %s | calo3dgan / E | Geant4 / E | ratio |\n|---:|---:|---:|---:|\n", what);
      for (std::size_t i = 0; i < a.size(); ++i)
        std::printf("| %zu | %.3e | %.3e | %.3f |\n", i, a[i] / gev, b[i] / gev,
                    b[i] > 0 ? a[i] / b[i] : NAN);
    };
    table("layer", ours.long_profile, g4.long_profile);
    table("x column", ours.x_profile, g4.x_profile);
  }
  if (o.layer_spectrum >= 0) print_layer_spectrum(o.layer_spectrum, our_layer, g4_layer.get());
  std::printf("\ncalo3dgan per material / E:");
  for (std::size_t m = 0; m < n_materials; ++m)
    std::printf(" %s %.4f%s", physics.stack().materials[m].name.c_str(),
                per_material[m] / double(ours.events), m + 1 < n_materials ? "," : "\n");
  // Statistical errors of the headline number, both sides.
  const double err_ours = ours.window_mean * ours.window_rel_rms / std::sqrt(double(ours.events));
  const double err_g4 = g4.window_mean * g4.window_rel_rms / std::sqrt(double(g4.events));
  std::printf(
      "\nwindow sum / E: calo3dgan %.3f +- %.3f %%, Geant4 %.3f +- %.3f %%; CPU %.4f s/shower "
      "(%d thread%s)\n",
      100 * ours.window_mean, 100 * err_ours, 100 * g4.window_mean, 100 * err_g4,
      stats.cpu_seconds / double(ours.events), o.threads, o.threads > 1 ? "s" : "");
}

}  // namespace

void add_bench_geant4_command(CLI::App& bench) {
  auto opts = std::make_shared<Geant4BenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "geant4", "Rerun the Geant4 development-set comparison (observables, ratios, tolerances)");
  cmd->add_option("--reference", opts->reference,
                  "Development-set summary, e.g. ../shared/geant4-reference/clic_10.json")
      ->required();
  cmd->add_option("--geometry", opts->geometry,
                  "Layer-stack JSON (default: from the reference's stack name)");
  cmd->add_option("--events", opts->events, "Showers to simulate")->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Random seed")->capture_default_str();
  cmd->add_option("--energy", opts->energy,
                  "Primary energy [GeV] if not the reference's (then only our observables are printed)");
  cmd->add_option("--threads", opts->threads, "Threads (results do not depend on it)")->capture_default_str();
  cmd->add_flag("--msc-urban", opts->urban,
                "Urban's (Geant4's) msc angular distribution instead of the default");
  cmd->add_option(
      "--set", opts->settings,
      "Transport setting name=value (repeatable): dr_over_range, final_range_mm, msc_range_factor, "
      "msc_safety_factor, range_cut_mm, range_rejection_mev, brems_g4_parametrized (0/1: Geant4's "
      "G4eBremParametrizedModel below 1 GeV), brems_param_low_mev (its low-energy limit, default 10)");
  cmd->add_flag("--profiles", opts->profiles, "Also print the longitudinal and x profiles bin by bin");
  cmd->add_option("--layer-spectrum", opts->layer_spectrum,
                  "Also print the deposit spectrum of this readout layer (window sum and central cell, "
                  "quantiles and shares per bin [MeV]), beside Geant4's from the .h5 next to the reference");
  cmd->callback([opts] { run_bench_geant4(*opts); });
}

}  // namespace calo::cli
