// calo3dgan model --summary NAME|FILE.json: the layers, output shapes and parameter counts
// of a model spec (docs/model-spec.md), Keras style; --init-checkpoint: a generator-only
// checkpoint with freshly initialised (untrained) weights, for trying `generate` and the
// embedding API before a trained model exists; --export-generator: the generator of a training
// checkpoint alone (how data/models/3dgan-16.h5 is made from a run's best.h5).
#include <cstdio>

#include "cli/commands.hh"
#include "core/error.hh"
#include "core/rng.hh"
#include "gan/checkpoint.hh"
#include "gan/model_spec.hh"
#include "gan/model_summary.hh"
#include "nn/context.hh"

namespace calo::cli {

void add_model_command(CLI::App& app) {
  struct Options {
    std::string summary;  // the spec: NAME or FILE.json (of --summary or --print-spec)
    std::string init_checkpoint;
    std::string spec = gan::kDefaultModel;  // of --init-checkpoint
    long long seed = 1;
    bool overwrite = false;
    std::string export_from;  // a training checkpoint
    std::string out;          // of --export-generator
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("model", "Describe a 3DGAN model spec (built-in name or JSON file)");
  std::string names;
  for (const auto& n : gan::builtin_model_names()) names += (names.empty() ? "" : ", ") + n;
  cmd->add_option("--summary", opts->summary,
                  "Print the layer table and parameter counts of a model: " + names + " or FILE.json")
      ->option_text("NAME|FILE.json");
  cmd->add_option("--print-spec", opts->summary, "Print the model spec as canonical JSON (every field)")
      ->option_text("NAME|FILE.json")
      ->excludes(cmd->get_option("--summary"));
  cmd->add_option("--init-checkpoint", opts->init_checkpoint,
                  "Write a generator checkpoint with initialised, untrained weights (of --spec, --seed)")
      ->option_text("FILE.h5")
      ->excludes(cmd->get_option("--summary"))
      ->excludes(cmd->get_option("--print-spec"));
  cmd->add_option("--spec", opts->spec, "Model spec of --init-checkpoint: " + names + " or FILE.json")
      ->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Seed of --init-checkpoint's weights")->capture_default_str();
  cmd->add_option("--export-generator", opts->export_from,
                  "Write the generator of a training checkpoint (weights, BatchNorm statistics, "
                  "training position and notes; no discriminator or optimiser state) to --out")
      ->option_text("CHECKPOINT.h5")
      ->excludes(cmd->get_option("--summary"))
      ->excludes(cmd->get_option("--print-spec"))
      ->excludes(cmd->get_option("--init-checkpoint"));
  cmd->add_option("--out", opts->out, "Generator-only checkpoint written by --export-generator")
      ->option_text("FILE.h5");
  cmd->add_flag("--overwrite", opts->overwrite, "Replace an existing --init-checkpoint or --out file");
  cmd->callback([opts, cmd] {
    if (!opts->export_from.empty()) {
      CALO_VALIDATE(!opts->out.empty(), "--export-generator needs --out FILE.h5");
      const gan::ModelSpec spec = gan::read_checkpoint_spec(opts->export_from);
      nn::Context ctx(1);
      gan::Generator gen(ctx, spec);
      gan::TrainingPosition position = gan::load_checkpoint(opts->export_from, spec, {.generator = &gen});
      // The trainer's random state only means something with the rest of the run.
      position.rng_state.clear();
      gan::save_checkpoint(opts->out, spec, {.generator = &gen}, position, opts->overwrite);
      std::printf("wrote %s: the %s generator of %s (step %lld, epoch %lld)\n", opts->out.c_str(),
                  spec.name.c_str(), opts->export_from.c_str(), static_cast<long long>(position.step),
                  static_cast<long long>(position.epoch));
      return;
    }
    if (!opts->init_checkpoint.empty()) {
      CALO_VALIDATE(opts->seed >= 0, "invalid --seed (must be >= 0)");
      const gan::ModelSpec spec = gan::load_model_spec(opts->spec);
      nn::Context ctx(1);
      gan::Generator gen(ctx, spec);
      Rng rng(static_cast<std::uint64_t>(opts->seed), 0);
      gen.initialise(rng);
      gan::TrainingPosition position;
      position.seed = static_cast<std::uint64_t>(opts->seed);
      gan::save_checkpoint(opts->init_checkpoint, spec, {.generator = &gen}, position, opts->overwrite);
      std::printf("wrote %s: %s generator, initialised weights (seed %lld), untrained\n",
                  opts->init_checkpoint.c_str(), spec.name.c_str(), opts->seed);
      return;
    }
    if (opts->summary.empty())
      throw InputError("model: give --summary, --print-spec, --init-checkpoint or --export-generator");
    const gan::ModelSpec spec = gan::load_model_spec(opts->summary);
    std::string text;
    if (cmd->count("--print-spec") > 0) {
      text = gan::model_spec_to_json(spec);
    } else {
      const std::string path = gan::model_spec_path(opts->summary);
      const bool builtin = path != opts->summary;
      text = gan::format_model_summary(spec, builtin ? "built-in, " + path : path);
    }
    std::fputs(text.c_str(), stdout);
  });
}

}  // namespace calo::cli
