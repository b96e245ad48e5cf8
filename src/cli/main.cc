// calo3dgan: one binary, one subcommand per job (DESIGN.md section 1).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.hh"
#include "core/error.hh"

int main(int argc, char** argv) {
  CLI::App app{"calo3dgan: fast calorimeter shower simulation (Monte Carlo and 3D GAN)", "calo3dgan"};
  app.set_version_flag("--version", calo::cli::version_string());
  app.require_subcommand(1);
  calo::cli::add_simulate_command(app);
  calo::cli::add_inspect_command(app);
  calo::cli::add_validate_command(app);
  calo::cli::add_bench_command(app);
  calo::cli::add_model_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "calo3dgan: error: %s (see 'calo3dgan --help')\n", e.what());
    return 2;
  } catch (const calo::InputError& e) {
    std::fprintf(stderr, "calo3dgan: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "calo3dgan: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
