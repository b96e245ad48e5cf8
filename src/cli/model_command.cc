// calo3dgan model --summary NAME|FILE.json: the layers, output shapes and parameter counts
// of a model spec (docs/model-spec.md), Keras style.
#include <cstdio>

#include "cli/commands.hh"
#include "gan/model_spec.hh"
#include "gan/model_summary.hh"

namespace calo::cli {

void add_model_command(CLI::App& app) {
  struct Options {
    std::string summary;  // the spec: NAME or FILE.json (of --summary or --print-spec)
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
  cmd->require_option(1);
  cmd->callback([opts, cmd] {
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
