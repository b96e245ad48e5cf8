// calo3dgan inspect FILE: a quick look at any 3DGAN-format shower file.
#include <cstdio>

#include "cli/commands.hh"
#include "io/inspect.hh"

namespace calo::cli {

void add_inspect_command(CLI::App& app) {
  struct Options {
    std::string file;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Summarise a 3DGAN-format HDF5 file: events, shapes, energies, sampled fraction, profile");
  cmd->add_option("file", opts->file, "HDF5 shower file (ours or the public 3DGAN data)")->required();
  cmd->add_flag("--json", opts->json, "Print the summary as JSON");
  cmd->callback([opts] {
    const io::InspectSummary summary = io::inspect_file(opts->file);
    const std::string text = opts->json ? io::summary_to_json(summary) : io::format_summary(summary);
    std::fputs(text.c_str(), stdout);
    if (!text.empty() && text.back() != '\n') std::fputc('\n', stdout);
  });
}

}  // namespace calo::cli
