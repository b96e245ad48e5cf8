#pragma once
// Each subcommand registers its options and its callback on the application; the callback
// runs inside app.parse() so main() maps its exceptions to one error line.
#include <CLI/CLI.hpp>
#include <string>

namespace calo::cli {
std::string version_string();
void add_simulate_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_bench_command(CLI::App& app);
/// `bench nn` under the `bench` subcommand (bench_nn.cc).
void add_bench_nn_command(CLI::App& bench);
/// `bench geant4` under the `bench` subcommand (bench_geant4.cc).
void add_bench_geant4_command(CLI::App& bench);
/// `bench calice` under the `bench` subcommand (bench_calice.cc).
void add_bench_calice_command(CLI::App& bench);
/// `bench train` under the `bench` subcommand (bench_train.cc).
void add_bench_train_command(CLI::App& bench);
void add_bench_scaling_command(CLI::App& bench);
void add_validate_command(CLI::App& app);
void add_model_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_generate_command(CLI::App& app);
/// `bench generate` under the `bench` subcommand (bench_generate.cc).
void add_bench_generate_command(CLI::App& bench);
}  // namespace calo::cli
