// Learning is real (issue 12): 3dgan-16 trained with the recipe's defaults (batch 8, RMSprop
// lr 1e-3, loss weights 6 : 0.2 : 0.1, label flips, the ECAL-sum fit made on the data) on a small
// Monte Carlo set at three energies (100 e- showers each at 10, 20, 30 GeV from `calo3dgan
// simulate`). From the validations (held-out showers, every 25 steps and at the start):
//  - the discriminator's energy-regression error (MAPE) on real held-out showers falls by at least
//    half from its untrained value;
//  - the generator's mean ECAL sum moves towards the data's: from thousands of times too large
//    (Keras initialisation) to within the factor below.
// Thresholds come from measured runs (tests/train/README.md, "learning.test.cc"); the run is
// deterministic for its seed, and the figures compared are medians over the last 100 steps'
// validations, because early 3DGAN training swings (the discriminator's MAPE jumps to
// thousands of % and back within 25 steps in our runs and in PyTorch's recipe alike).
// About 3 minutes of CPU: labelled "slow" and left out of the sanitizer run (the same code is
// exercised there by trainer.test.cc on a tiny model).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scratch_directory.hh"
#include "train/trainer.hh"
#include "train_test_support.hh"

namespace calo::train {
namespace {

using test::run_command;

constexpr std::int64_t kLearningSteps = 300;
/// Median |<sum/E>_GAN / <sum/E>_data - 1| over the last 100 steps' validations at most.
constexpr double kSampledFractionErrorAfter = 1.5;

struct Validation {
  std::int64_t step;
  double d_energy_mape, sampled_fraction_error;
};

std::vector<Validation> validations(const std::string& metrics) {
  std::vector<Validation> out;
  std::ifstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["kind"] == "validation")
      out.push_back({j["step"], j["d_real"]["energy_mape"], j["sampled_fraction_error"]});
  }
  return out;
}

double median(std::vector<double> v) {
  std::ranges::sort(v);
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

TEST(Learning, DiscriminatorLearnsTheEnergyAndGeneratedEcalSumsMoveTowardsTheData) {
  calo::test::ScratchDirectory dir;
  for (const int gev : {10, 20, 30}) {
    const std::string out = dir.file("e" + std::to_string(gev) + ".h5");
    const auto r =
        run_command(std::string(CALO_CLI) + " simulate --quiet --threads 2 --events 100 --energy " +
                    std::to_string(gev) + " --seed " + std::to_string(gev) + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  TrainerOptions o;
  o.model = "3dgan-16";
  o.data.patterns = {dir.file("e*.h5")};
  o.max_steps = kLearningSteps;
  o.validate_every = 25;
  o.validation_events = 30;
  o.threads = 2;
  o.seed = 1;
  o.checkpoint_every.steps = 1'000'000;
  run_training(o, dir.file("run"), false);

  const std::vector<Validation> v = validations(dir.file("run") + "/metrics.jsonl");
  ASSERT_FALSE(v.empty());
  ASSERT_EQ(v.front().step, 0);
  std::vector<double> mape, sf;
  for (const Validation& x : v)
    if (x.step >= kLearningSteps - 100)
      mape.push_back(x.d_energy_mape), sf.push_back(x.sampled_fraction_error);
  ASSERT_GE(mape.size(), 5u);
  const double mape_before = v.front().d_energy_mape, mape_after = median(mape);
  const double sf_before = v.front().sampled_fraction_error, sf_after = median(sf);
  RecordProperty("d_energy_mape", std::to_string(mape_before) + " -> " + std::to_string(mape_after));
  RecordProperty("sampled_fraction_error", std::to_string(sf_before) + " -> " + std::to_string(sf_after));
  EXPECT_LT(mape_after, 0.5 * mape_before)
      << "D energy MAPE " << mape_before << " % -> " << mape_after << " %";
  EXPECT_GT(sf_before, 100) << "the untrained generator's ECAL sums were expected far above the data's";
  EXPECT_LT(sf_after, kSampledFractionErrorAfter)
      << "sampled-fraction error " << sf_before << " -> " << sf_after;
}

}  // namespace
}  // namespace calo::train
