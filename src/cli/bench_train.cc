// calo3dgan bench train: the whole `train` path (data pipeline, step, log) against the bare
// training iteration and the PyTorch reference's iteration, measured in the same run, and the
// data loader alone against what training consumes (issue: train path within 5 % of the bare
// iteration, >= 3x PyTorch, loader >= 10x training's consumption).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "cli/bench_support.hh"
#include "cli/commands.hh"
#include "cli/nn_options.hh"
#include "core/data_path.hh"
#include "core/error.hh"
#include "gan/model_spec.hh"
#include "nn/context.hh"
#include "nn/optimizer.hh"
#include "train/batch_loader.hh"
#include "train/gan_step.hh"
#include "train/shower_dataset.hh"
#include "train/trainer.hh"

namespace calo::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct TrainBenchOptions {
  std::string model = gan::kDefaultModel;
  std::string data;  // glob; empty: synthetic showers written to a temporary folder
  int events = 640;
  int threads = 2;
  std::int64_t batch_size = 8;
  std::int64_t steps = 40;
  double min_time = 5.0;
  bool reference = true;
};

/// Sparse shower-like events at energies uniform in 10-500 GeV, in the DESIGN.md section 4 format.
std::string write_synthetic_showers(const fs::path& folder, const gan::ModelSpec& spec, int events) {
  const io::ShowerGrid grid{static_cast<std::size_t>(spec.image_shape[0]),
                            static_cast<std::size_t>(spec.image_shape[1]),
                            static_cast<std::size_t>(spec.image_shape[2])};
  const std::string path = (folder / "synthetic.h5").string();
  io::ShowerWriter w(path, {.grid = grid});
  Rng rng(2024, 0);
  for (int e = 0; e < events; ++e) {
    const std::vector<float> cells = synthetic_cells(grid.cells(), rng);
    const float energy = static_cast<float>(10 + 490 * rng.uniform()), pdg = 11;
    w.append(cells.data(), &energy, &pdg, 1);
  }
  w.commit();
  return path;
}

void run_bench_train(const TrainBenchOptions& o) {
  CALO_VALIDATE(o.steps >= 10, "--steps must be at least 10 (the first 5 are warm-up)");
  CALO_VALIDATE(o.batch_size >= 1 && o.events >= 1 && o.threads >= 1,
                "--batch-size, --events and --threads must be >= 1");
  const gan::ModelSpec spec = gan::load_model_spec(o.model);
  const ScratchFolder tmp("calo3dgan-bench-train");
  const std::string data_glob = o.data.empty() ? write_synthetic_showers(tmp.path(), spec, o.events) : o.data;
  nn::ContextOptions context_options = nn_options_from_environment();
  context_options.threads = o.threads;

  train::DatasetOptions data_options;
  data_options.patterns = {data_glob};
  data_options.grid = {static_cast<std::size_t>(spec.image_shape[0]),
                       static_cast<std::size_t>(spec.image_shape[1]),
                       static_cast<std::size_t>(spec.image_shape[2])};
  const train::ShowerDataset data = train::ShowerDataset::open(data_options);
  const std::int64_t steps_per_epoch =
      (static_cast<std::int64_t>(data.training().size()) + o.batch_size - 1) / o.batch_size;
  CALO_VALIDATE(steps_per_epoch > o.steps,
                "the data hold " + std::to_string(data.training().size()) +
                    " training showers: fewer than --steps x --batch-size (the " +
                    "timed steps must not cross an epoch end); give more --events");

  std::printf("calo3dgan %s  bench train: model %s, batch %lld, %d threads, %s (%zu training showers)\n\n",
              version(), spec.name.c_str(), static_cast<long long>(o.batch_size), o.threads,
              o.data.empty() ? "synthetic showers" : data_glob.c_str(), data.training().size());
  std::fflush(stdout);

  // 1. The data loader alone: whole epochs of preprocessed batches, prefetch thread included.
  double loader_samples_per_s = 0;
  {
    const auto t0 = Clock::now();
    std::int64_t samples = 0;
    while (std::chrono::duration<double>(Clock::now() - t0).count() < o.min_time / 2) {
      train::BatchLoader loader(data, data.training(), {.batch_size = o.batch_size});
      while (auto b = loader.next()) samples += static_cast<std::int64_t>(b->events.size());
    }
    loader_samples_per_s = samples / std::chrono::duration<double>(Clock::now() - t0).count();
  }

  // 2. The bare iteration (train::GanStep on one batch held in memory), as bench nn.
  double bare_s_per_step = 0;
  {
    nn::Context ctx(context_options);
    gan::Generator gen(ctx, spec);
    gan::Discriminator disc(ctx, spec);
    Rng rng(12345, 0);
    gen.initialise(rng);
    disc.initialise(rng);
    nn::RMSprop opt_g(gen.store()), opt_d(disc.store());
    train::GanStep step(ctx, gen, disc, opt_g, opt_d);
    train::BatchLoader loader(data, data.training(), {.batch_size = o.batch_size});
    const train::Batch batch = *loader.next();
    bare_s_per_step = median_seconds([&] { step.step(batch.images, batch.energies, rng); }, o.min_time);
  }

  // 3. The whole train path: run_training as `calo3dgan train` runs it (loader thread, step,
  // metrics log), timed from step 5 to the last step, before the final checkpoint.
  double path_s_per_step = 0;
  {
    train::TrainerOptions t;
    t.model = o.model;
    t.data.patterns = {data_glob};
    t.batch_size = o.batch_size;
    t.max_steps = o.steps;
    t.threads = o.threads;
    t.conv = context_options.conv;
    t.checkpoint_every.steps = 1'000'000'000;
    std::vector<Clock::time_point> at;
    train::TrainerHooks hooks;
    hooks.progress = [&](const train::StepProgress&) { at.push_back(Clock::now()); };
    train::run_training(t, (tmp.path() / "run").string(), false, hooks);
    const std::size_t warm = 5;
    path_s_per_step = std::chrono::duration<double>(at.back() - at[warm - 1]).count() / (at.size() - warm);
  }

  // 4. PyTorch's iteration of the same recipe (bench/reference/recipe.py).
  std::string torch_version;
  double torch_s_per_sample = 0;
  if (o.reference)
    for (const auto& j : run_reference_timing(
             "--only train --variant " + o.model + " --threads " + std::to_string(o.threads) +
             " --train-batch " + std::to_string(o.batch_size) + " --min-time " + std::to_string(o.min_time)))
      if (j["bench"] == "train_iteration") {
        torch_s_per_sample = j["s_per_sample"];
        torch_version = j.value("torch", "");
      }

  const double b = static_cast<double>(o.batch_size);
  const double consumed = b / path_s_per_step;
  std::printf("| figure | s/step | samples/s | vs bare iteration | vs PyTorch %s |\n",
              torch_version.empty() ? "(not run)" : torch_version.c_str());
  std::printf("|---|---:|---:|---:|---:|\n");
  const auto vs_torch = [&](double s_per_step) {
    if (torch_s_per_sample <= 0) return std::string("-");
    char text[32];
    std::snprintf(text, sizeof text, "%.2fx faster", torch_s_per_sample * b / s_per_step);
    return std::string(text);
  };
  std::printf("| bare iteration (GanStep, batch in memory) | %.4f | %.1f | 1 | %s |\n", bare_s_per_step,
              b / bare_s_per_step, vs_torch(bare_s_per_step).c_str());
  std::printf("| train path (run_training: loader thread, step, log) | %.4f | %.1f | %+.1f %% time | %s |\n",
              path_s_per_step, consumed, 100 * (path_s_per_step / bare_s_per_step - 1),
              vs_torch(path_s_per_step).c_str());
  if (torch_s_per_sample > 0)
    std::printf("| PyTorch recipe iteration (bench/reference/recipe.py) | %.4f | %.1f | %.2fx slower | 1 |\n",
                torch_s_per_sample * b, 1 / torch_s_per_sample, torch_s_per_sample * b / bare_s_per_step);
  std::printf(
      "| data loader alone (BatchLoader, preprocessing) | - | %.0f | %.0fx what training consumes | - |\n",
      loader_samples_per_s, loader_samples_per_s / consumed);
  std::printf(
      "\nTargets: train path within 5 %% of the bare iteration, >= 3x PyTorch, loader >= 10x training's "
      "consumption. The train path is timed from its step 5 to its last step (%lld steps, no validation or "
      "checkpoint inside).\n",
      static_cast<long long>(o.steps));
}

}  // namespace

void add_bench_train_command(CLI::App& bench) {
  auto opts = std::make_shared<TrainBenchOptions>();
  CLI::App* cmd =
      bench.add_subcommand("train", "Training speed: the whole train path vs the bare iteration and PyTorch");
  cmd->add_option("--model", opts->model, "Model spec name or JSON file")->capture_default_str();
  cmd->add_option("--data", opts->data,
                  "Shower files (glob); default: synthetic showers in a temporary folder");
  cmd->add_option("--events", opts->events, "Synthetic showers written when --data is not given")
      ->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Threads (oneDNN and PyTorch)")->capture_default_str();
  cmd->add_option("--batch-size", opts->batch_size, "Batch size")->capture_default_str();
  cmd->add_option("--steps", opts->steps, "Training steps of the train-path run")->capture_default_str();
  cmd->add_option("--min-time", opts->min_time, "Seconds per figure at least")->capture_default_str();
  cmd->add_flag("!--no-reference", opts->reference, "Skip the PyTorch reference");
  cmd->callback([opts] { run_bench_train(*opts); });
}

}  // namespace calo::cli
