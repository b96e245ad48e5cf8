#pragma once
// Helpers of the physics tests: scratch directories, synthetic shower files, commands.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "core/error.hh"
#include "input_error.hh"
#include "scratch_directory.hh"

namespace calo::physics::test {

using ScratchDirectory = calo::test::ScratchDirectory;

/// Options of a synthetic shower set: a smooth Gaussian-in-depth, exponential-in-radius shower
/// with multiplicative per-cell noise (not physics; enough to exercise every observable).
struct SyntheticOptions {
  std::size_t events = 100;
  std::vector<double> energies_gev{100.0};  ///< cycled over the events
  io::ShowerGrid grid{};
  std::uint64_t seed = 1;
  double scale = 1.0;  ///< multiplies every cell
};
/// Writes a synthetic shower file.
void write_synthetic(const std::string& path, const SyntheticOptions& options);

/// Copies events [first, first + count) with stride from `from` to `to`, applying edit to each
/// event's cells [nx][ny][nz] and primary energy [GeV].
void copy_showers(const std::string& from, const std::string& to, std::size_t first, std::size_t stride,
                  const std::function<void(std::vector<float>& cells, float& energy_gev)>& edit = {});

/// Exit code and output (stdout and stderr) of a shell command.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_command(const std::string& command);
/// Single-quotes an argument for /bin/sh.
std::string shell_quote(const std::string& arg);

using calo::test::input_error_message;

}  // namespace calo::physics::test
