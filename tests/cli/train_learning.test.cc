// Issue 12's learning test: a few hundred steps of `calo3dgan train` (3dgan-16, the recipe at a
// lower learning rate with a 50-step warm-up, the default cell scale) on a small Monte Carlo set at three
// energies learn for real. Two things, each measured by the trainer's own log:
//  - the discriminator's energy regression on real showers (MAPE of E/100 GeV on the real batch,
//    logged before each D update) falls to at most half: median over the last 50 steps <=
//    kEnergyMapeFall x the median over steps 1-10, and ends below the best constant guess;
//  - the generated showers' mean ECAL sum (validation: mean over held-out energies of
//    <sum/E>_GAN / <sum/E>_data, BatchNorm statistics refreshed) moves from the initialised
//    generator's 27-56x the data's to within a factor kSumRatioBand of it.
// Measured with this setting (seeds 1 and 2): MAPE median / step 1 = 0.39 and 0.39, final sum
// ratio 0.78 and 0.85; on the sets after issue 10's third pass (seed 1): steps 1-10 median
// 112.6 %, end 34.2 % (0.30; best constant guess 45 %), sum ratio 57 -> 1.17.
// Thresholds from measured runs (tests/cli/README.md, docs/train.md "Early training dynamics").
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run_command.hh"
#include "sanitized_build.hh"
#include "scratch_directory.hh"
#include "simulated_showers.hh"

namespace {

using calo::test::run_command;
using calo::test::shell_quote;

constexpr int kSteps = 400;
constexpr double kEnergyMapeFall = 0.5;  // the "fall by at least half"
constexpr double kSumRatioBand = 2.0;    // 0.5 .. 2 x the data's mean ECAL sum

struct Log {
  std::vector<double> d_real_energy_mape;  ///< by step, from step 1
  std::vector<double> sum_ratio;           ///< by validation, from step 0
};

Log read_log(const std::string& path) {
  Log log;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j.at("kind") == "step")
      log.d_real_energy_mape.push_back(j.at("d_real").at("energy_mape").get<double>());
    else if (j.at("kind") == "validation")
      log.sum_ratio.push_back(j.at("sampled_fraction_ratio").get<double>());
  }
  return log;
}

double median(std::vector<double> v) {
  std::ranges::sort(v);
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

TEST(TrainLearning, DiscriminatorLearnsEnergiesAndGeneratedSumsApproachTheData) {
  // A numerical-behaviour test of 400 full-size steps (~5.5 min in Release on 2 idle cores, several
  // times that under the sanitizers); the same trainer and step code run under ASan+UBSan in
  // tests/train (tiny model) and train_interrupt.test.cc.
  CALO_SKIP_IN_SANITIZED_BUILD("400 steps of 3dgan-16");
  calo::test::ScratchDirectory dir;
  // 150 e- showers at each of 20, 50 and 80 GeV (~25 CPU-s): 405 training and 45 held-out showers.
  for (const int energy : {20, 50, 80})  // not "e" + string: GCC 12 misreads it as an overlap (-Wrestrict)
    calo::test::simulate_showers(dir.file(std::string("e") + std::to_string(energy) + ".h5"), 150, energy,
                                 energy);
  const std::string run = dir.file("run");
  const auto r =
      run_command(shell_quote(CALO_CLI) + " train --data " + shell_quote(dir.file("e*.h5")) + " --out " +
                  shell_quote(run) + " --lr 3e-4 --warmup-steps 50 --seed 1 --max-steps " +
                  std::to_string(kSteps) + " --log-every 1 --validate-every " + std::to_string(kSteps) +
                  " --validation-events 45 --threads 2 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const Log log = read_log(run + "/metrics.jsonl");
  ASSERT_EQ(log.d_real_energy_mape.size(), static_cast<std::size_t>(kSteps));
  ASSERT_GE(log.sum_ratio.size(), 2u);  // step 0 and the last step
  // The start is the median over the first 10 steps: one batch of 8 showers is too noisy a
  // start (on the sets of 2026-12-06 after issue 10's third pass the step-1 batch gave 50.6 %,
  // the first 10 batches 42-195 %, median 112.6 %; before, step 1 alone was 100-200 %). Those
  // steps already carry the warm-up's small updates, so the fall alone could come from their
  // jitter settling; the D must therefore also beat the best constant guess of the energy
  // (45 % MAPE for equal numbers at 20, 50 and 80 GeV), i.e. have learnt energy from the showers.
  const double start = median({log.d_real_energy_mape.begin(), log.d_real_energy_mape.begin() + 10});
  const double end = median({log.d_real_energy_mape.end() - 50, log.d_real_energy_mape.end()});
  EXPECT_LE(end, kEnergyMapeFall * start)
      << "D energy MAPE on real showers: " << start << " % (median of steps 1-10), " << end
      << " % (median of the last 50 steps)";
  double best_constant = 1e300;  // min over c of the mean |c - E| / E over the three energies [%]
  for (double c = 1; c <= 100; c += 0.01)
    best_constant = std::min(
        best_constant, 100.0 / 3 * (std::abs(c - 20) / 20 + std::abs(c - 50) / 50 + std::abs(c - 80) / 80));
  EXPECT_LT(end, best_constant) << "D energy MAPE " << end << " % does not beat the best constant guess ("
                                << best_constant << " %)";
  const double ratio0 = log.sum_ratio.front(), ratio = log.sum_ratio.back();
  EXPECT_GT(ratio0, 10) << "the initialised generator's showers are far too full";
  EXPECT_LT(ratio, kSumRatioBand) << "generated / data mean ECAL sum " << ratio0 << " at step 0";
  EXPECT_GT(ratio, 1 / kSumRatioBand) << "generated / data mean ECAL sum " << ratio0 << " at step 0";
  RecordProperty("d_energy_mape_start", std::to_string(start));
  RecordProperty("d_energy_mape_end", std::to_string(end));
  RecordProperty("sum_ratio_start", std::to_string(ratio0));
  RecordProperty("sum_ratio_end", std::to_string(ratio));
}

}  // namespace
