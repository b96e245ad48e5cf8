#pragma once
// Shared by the acceptance tests that compare Monte Carlo sets: simulating a set with the CLI,
// and the stamp that says when cached sets must be made again (the binary changed).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "run_command.hh"

namespace calo::test {

/// `calo3dgan simulate` of `events` e- showers at `energy` [GeV] into out (2 threads).
inline void simulate_showers(const std::string& out, int events, double energy, int seed) {
  const auto r = run_command(shell_quote(CALO_CLI) + " simulate --events " + std::to_string(events) +
                             " --energy " + std::to_string(energy) + " --seed " + std::to_string(seed) +
                             " --threads 2 --quiet --overwrite --out " + shell_quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

/// The CLI binary's size and time, plus `sets` naming the sets made: cached sets with
/// another stamp are simulated again.
inline std::string simulator_stamp(const std::string& sets) {
  const std::filesystem::path cli(CALO_CLI);
  return std::to_string(std::filesystem::file_size(cli)) + ":" +
         std::to_string(std::filesystem::last_write_time(cli).time_since_epoch().count()) + ":" + sets;
}

}  // namespace calo::test
