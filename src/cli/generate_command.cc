// calo3dgan generate: showers from a trained generator (src/infer), written as 3DGAN HDF5.
// Options and the reproducibility rules: docs/generate.md.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include "calo3dgan/shower_file.hh"
#include "cli/commands.hh"
#include "cli/generate_options.hh"
#include "core/data_path.hh"
#include "core/error.hh"
#include "core/progress_bar.hh"
#include "gan/model_spec.hh"
#include "infer/generation_run.hh"
#include "infer/latent.hh"
#include "infer/loaded_model.hh"
#include "io/output_path.hh"
#include "sim/transport/energy_spectrum.hh"

namespace calo::cli {

namespace {

struct GenerateOptions {
  std::string checkpoint;  // empty: the shipped model
  std::string model;
  long long events = 0;
  std::string energy;  // empty: the trained range
  std::string out;
  bool overwrite = false;
  long long batch_size = 128;
  int threads = 0;
  int streams = 1;
  long long seed = 1;
  std::string precision = "f32";
  std::string latent, save_latent;
  bool strict = false;
  bool quiet = false;
};

/// This process's peak resident memory [MiB] (VmHWM: of its own address space since exec,
/// unlike getrusage's maxrss, which a process spawned by a large one inherits); 0 if unknown.
double peak_resident_mib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      double kib = 0;
      status >> kib;
      return kib / 1024.0;
    }
    std::getline(status, key);
  }
  return 0;
}

/// Warns (or refuses with --strict) when [lo, hi] GeV reaches outside the trained range.
void check_trained_range(double lo, double hi, const infer::LoadedModel& m, bool strict) {
  if (lo >= m.trained_min_gev && hi <= m.trained_max_gev) return;
  char text[256];
  std::snprintf(text, sizeof text,
                "energies %g-%g GeV reach outside the range %g-%g GeV the model was trained on", lo, hi,
                m.trained_min_gev, m.trained_max_gev);
  if (strict) throw InputError(std::string(text) + " (--strict)");
  std::fprintf(stderr, "calo3dgan: warning: %s; the GAN extrapolates there (--strict refuses)\n", text);
}

void run_generate(const GenerateOptions& o) {
  // Everything cheap first: options, output paths, then the model.
  const infer::Precision precision = resolve_precision(o.precision);
  CALO_VALIDATE(o.batch_size > 0,
                "invalid --batch-size " + std::to_string(o.batch_size) + " (must be positive)");
  CALO_VALIDATE(o.threads >= 0, "invalid --threads (must be >= 0; 0 = all cores)");
  CALO_VALIDATE(o.streams > 0, "invalid --streams " + std::to_string(o.streams) + " (must be positive)");
  CALO_VALIDATE(o.seed >= 0, "invalid --seed (must be >= 0)");
  CALO_VALIDATE(o.latent.empty() || o.energy.empty(),
                "--latent takes the energies from the file: drop --energy");
  if (o.latent.empty())
    CALO_VALIDATE(o.events > 0, "invalid --events " + std::to_string(o.events) + " (must be positive)");
  const std::optional<sim::EnergySpectrum> spectrum =
      o.latent.empty() && !o.energy.empty() ? std::optional(sim::EnergySpectrum::parse(o.energy))
                                            : std::nullopt;
  io::ShowerWriter::check_writable(o.out, o.overwrite);
  if (!o.save_latent.empty()) io::check_output_path(o.save_latent, o.overwrite);

  const std::string checkpoint = o.checkpoint.empty() ? shipped_model_path() : o.checkpoint;
  if (o.checkpoint.empty() && !std::filesystem::exists(checkpoint))
    throw InputError("no trained model at " + checkpoint +
                     " (this data folder lacks the shipped model) pass --checkpoint FILE, e.g. a "
                     "run's best.h5");
  const gan::ModelSpec requested = o.model.empty() ? gan::ModelSpec{} : gan::load_model_spec(o.model);
  const infer::LoadedModel model = infer::load_generator(checkpoint, o.model.empty() ? nullptr : &requested);
  const std::int64_t L = model.spec.latent_size;

  // The inputs: from the latent file, else drawn per event from the seed (infer/latent.hh).
  std::optional<infer::LatentSet> set;
  std::string energy_text;
  if (!o.latent.empty()) {
    set = infer::read_latent_file(o.latent, L);
    CALO_VALIDATE(o.events == 0 || o.events == set->events(),
                  "--events " + std::to_string(o.events) + " differs from the " +
                      std::to_string(set->events()) + " events of --latent " + o.latent +
                      " (leave --events out)");
    const auto [lo, hi] = std::minmax_element(set->energy_gev.begin(), set->energy_gev.end());
    check_trained_range(*lo, *hi, model, o.strict);
    energy_text = "from " + o.latent;
  } else {
    const double lo = spectrum ? spectrum->min_gev() : model.trained_min_gev;
    const double hi = spectrum ? spectrum->max_gev() : model.trained_max_gev;
    check_trained_range(lo, hi, model, o.strict);
    char range[64];
    std::snprintf(range, sizeof range, "%g:%g", lo, hi);
    energy_text = spectrum ? spectrum->text() : range;
  }
  const std::optional<sim::EnergySpectrum> energies =
      set ? std::nullopt : std::optional(spectrum ? *spectrum : sim::EnergySpectrum::parse(energy_text));
  const std::uint64_t seed = static_cast<std::uint64_t>(o.seed);
  const auto draw = [&](std::int64_t first, std::int64_t n, std::span<float> z, std::span<float> e) {
    for (std::int64_t i = 0; i < n; ++i) {
      const auto event = static_cast<std::uint64_t>(first + i);
      Rng rng = infer::energy_rng(seed, event);
      e[i] = static_cast<float>(energies->energy_of(event, rng) / 1000.0);  // MeV -> GeV
      infer::draw_latent(seed, event, e[i], z.subspan(i * L, L));
    }
  };
  if (!set && !o.save_latent.empty()) {  // draw them all now, so they can be saved
    set.emplace();
    set->latent_size = L;
    set->z.resize(static_cast<std::size_t>(o.events * L));
    set->energy_gev.resize(static_cast<std::size_t>(o.events));
    draw(0, o.events, set->z, set->energy_gev);
  }
  infer::InputFn inputs = draw;
  if (set)
    inputs = [&](std::int64_t first, std::int64_t n, std::span<float> z, std::span<float> e) {
      std::copy_n(set->z.begin() + first * L, n * L, z.begin());
      std::copy_n(set->energy_gev.begin() + first, n, e.begin());
    };

  infer::RunSettings run;
  run.events = set ? set->events() : o.events;
  run.batch_size = o.batch_size;
  run.streams = o.streams;
  run.precision = precision;
  const int threads =
      o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  run.threads_per_stream = std::max(1, threads / o.streams);

  const auto& g = model.spec.image_shape;
  io::WriterOptions wopts;
  wopts.grid = io::ShowerGrid{std::size_t(g[0]), std::size_t(g[1]), std::size_t(g[2])};
  wopts.overwrite = o.overwrite;
  io::ShowerWriter writer(o.out, wopts);
  writer.set_attribute("generator", std::string("calo3dgan generate ") + version());
  writer.set_attribute("model", model.spec.name);
  writer.set_attribute("checkpoint", std::filesystem::absolute(checkpoint).string());
  writer.set_attribute("particle", "e-");
  writer.set_attribute("pdg", static_cast<std::int64_t>(io::kPdgElectron));
  writer.set_attribute("energy_gev", energy_text);
  writer.set_attribute("seed", static_cast<std::int64_t>(o.seed));
  writer.set_attribute("precision", precision_name(precision));
  writer.set_attribute("batch_size",
                       static_cast<std::int64_t>(std::min<long long>(o.batch_size, run.events)));
  writer.set_attribute("version", std::string(version()));

  std::vector<float> pdg;
  ProgressBar bar("generate", static_cast<std::uint64_t>(run.events), "showers");
  const double seconds = infer::run_generation(
      model, run, inputs,
      [&](std::int64_t first, std::int64_t n, std::span<const float> e, std::span<const float> cells) {
        pdg.assign(static_cast<std::size_t>(n), static_cast<float>(io::kPdgElectron));
        writer.append(cells.data(), e.data(), pdg.data(), static_cast<std::size_t>(n));
        bar.update(static_cast<std::uint64_t>(first + n));
      });
  bar.finish();
  if (!o.save_latent.empty()) infer::write_latent_file(o.save_latent, *set, o.overwrite);
  writer.commit();
  if (!o.quiet)
    std::printf(
        "generated %lld showers (%s, %s GeV) to %s: %.3f ms/shower (%s, batch %lld, %d stream%s x %d "
        "thread%s, %.2f s, peak memory %.0f MiB)\n",
        static_cast<long long>(run.events), model.spec.name.c_str(), energy_text.c_str(), o.out.c_str(),
        1e3 * seconds / static_cast<double>(run.events), precision_name(precision),
        static_cast<long long>(std::min<long long>(o.batch_size, run.events)), run.streams,
        run.streams == 1 ? "" : "s", run.threads_per_stream, run.threads_per_stream == 1 ? "" : "s", seconds,
        peak_resident_mib());
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto opts = std::make_shared<GenerateOptions>();
  CLI::App* cmd =
      app.add_subcommand("generate", "Generate showers with a trained 3DGAN generator (3DGAN HDF5)");
  cmd->add_option(
         "--checkpoint", opts->checkpoint,
         "Checkpoint holding the generator (default: the shipped model, " + shipped_model_path() + ")")
      ->option_text("FILE.h5");
  cmd->add_option("--model", opts->model, "Refuse a checkpoint that does not hold this model spec")
      ->option_text("NAME|FILE.json");
  cmd->add_option("--events", opts->events, "Number of showers (with --latent: the file's)");
  cmd->add_option(
      "--energy", opts->energy,
      "Primary energy in GeV: 100 | 10,50,100 (cycled) | 2:500 (uniform); default the trained range");
  cmd->add_option("--out", opts->out, "Output HDF5 file (3DGAN layout)")->required()->option_text("FILE.h5");
  cmd->add_flag("--overwrite", opts->overwrite, "Replace existing output files");
  cmd->add_option("--batch-size", opts->batch_size, "Showers per generator call")->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Threads in all, shared by the streams (0 = all cores)")
      ->capture_default_str();
  cmd->add_option("--streams", opts->streams, "Concurrent workers, each with threads/streams threads")
      ->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Random seed (same seed = same file for any --streams/--threads)")
      ->capture_default_str();
  cmd->add_option("--precision", opts->precision,
                  "Arithmetic: f32 | bf16 (AVX-512 BF16 convolutions) | int8 (AVX-512 VNNI: the largest "
                  "convolution in int8 over each shower's own range, the others bf16)")
      ->capture_default_str();
  cmd->add_option("--latent", opts->latent, "Exact generator inputs: HDF5 with z (N, latent) and energy (N,)")
      ->option_text("FILE.h5");
  cmd->add_option("--save-latent", opts->save_latent, "Also write the generator inputs used (for --latent)")
      ->option_text("FILE.h5");
  cmd->add_flag("--strict", opts->strict,
                "Refuse energies outside the model's trained range (default: warn)");
  cmd->add_flag("--quiet", opts->quiet, "Print nothing on success");
  cmd->callback([opts] { run_generate(*opts); });
}

}  // namespace calo::cli
