// Times validate() on two synthetic sets (not a test: README.md, "Benchmark").
//   physics_validate_bench [EVENTS=10000] [DIR=/tmp]
// Writes DIR/bench_ref.h5 and DIR/bench_cand.h5 (about 625 MB each for 10,000 events) unless
// they exist with the right size, validates, prints the time and peak memory, keeps the files.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "physics/validation.hh"
#include "physics_test_support.hh"

int main(int argc, char** argv) {
  using namespace calo;
  const std::size_t events = argc > 1 ? std::size_t(std::atol(argv[1])) : 10000;
  const std::string dir = argc > 2 ? argv[2] : "/tmp";
  const std::string ref = dir + "/bench_ref.h5", cand = dir + "/bench_cand.h5";
  auto ready = [&](const std::string& path) {
    if (!std::filesystem::exists(path)) return false;
    return io::ShowerReader(path).events() == events;
  };
  const std::vector<double> energies{50, 100, 200, 300, 400, 150};
  if (!ready(ref))
    physics::test::write_synthetic(ref, {.events = events, .energies_gev = energies, .seed = 1});
  if (!ready(cand))
    physics::test::write_synthetic(cand,
                                   {.events = events, .energies_gev = energies, .seed = 2, .scale = 1.01});

  const auto start = std::chrono::steady_clock::now();
  const physics::ValidationResult result = physics::validate(ref, cand);
  const std::string json = physics::to_json(result);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "validate %zu vs %zu showers (25x25x25): %.2f s (%.0f us/shower), metrics.json %zu bytes, "
      "peak RSS %.0f MB, verdict %s\n",
      events, events, seconds, 1e6 * seconds / double(2 * events), json.size(),
      double(usage.ru_maxrss) / 1024.0, physics::verdict_name(result.verdict));
  return 0;
}
