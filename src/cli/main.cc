// calo3dgan: one binary, one subcommand per job (DESIGN.md section 1).
// Errors follow docs/errors.md: one line on stderr; exit 2 for the user's input, 1 otherwise.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include "cli/commands.hh"
#include "cli/interrupt.hh"
#include "core/error.hh"

namespace {

/// Prints "calo3dgan: <kind>: <message>" as one line (newlines inside a library's message
/// become spaces) and returns exit_code.
int fail(const char* kind, std::string message, int exit_code) {
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  while (!message.empty() && message.back() == ' ') message.pop_back();
  std::fprintf(stderr, "calo3dgan: %s: %s\n", kind, message.c_str());
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"calo3dgan: fast calorimeter shower simulation (Monte Carlo and 3D GAN)", "calo3dgan"};
  app.set_version_flag("--version", calo::cli::version_string());
  app.require_subcommand(1);
  calo::cli::add_simulate_command(app);
  calo::cli::add_inspect_command(app);
  calo::cli::add_validate_command(app);
  calo::cli::add_bench_command(app);
  calo::cli::add_model_command(app);
  calo::cli::add_train_command(app);
  calo::cli::add_generate_command(app);
  calo::cli::remove_outputs_in_progress_on_interrupt();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {  // the command line itself: the user's input
    if (e.get_exit_code() == 0) return app.exit(e);
    return fail("error", std::string(e.what()) + " (see 'calo3dgan --help')", 2);
  } catch (const calo::InputError& e) {  // options, files, geometry: the user's input
    return fail("error", e.what(), 2);
  } catch (const std::logic_error& e) {  // a broken invariant or API misuse: a bug of ours
    return fail("internal error", std::string(e.what()) + " (a bug in calo3dgan; please report it)", 1);
  } catch (const std::exception& e) {  // the environment: RuntimeError, HDF5, oneDNN, memory
    return fail("error", e.what(), 1);
  } catch (...) {
    return fail("internal error", "unknown exception (a bug in calo3dgan; please report it)", 1);
  }
  return 0;
}
