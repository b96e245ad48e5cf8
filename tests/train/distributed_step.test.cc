// Data-parallel GanStep (train/distributed_gradients.hh over dist::MpiCommunicator) as two
// ranks under mpiexec against one process: with the same global batch, data and draws, 2 ranks
// sharing a batch of 2b give the parameters of 1 rank with batch 2b after every step, for the
// discriminator and generator updates, with the gradients allreduced and with the Dense layers
// exchanging sufficient factors. Each rank also runs the one-process reference itself.
// The model has no BatchNorm and no Dropout (the "mode where per-rank batch statistics do not
// matter"): with them each rank would normalise by its own batch (Horovod's choice, ours too).
// Tolerance: 2e-6 relative + 1e-7 absolute per parameter after 3 steps of RMSprop. The two
// computations differ only in the order float32 sums over the batch are taken (per rank, then
// across ranks): round-off of a few ulp in the gradients, which RMSprop (epsilon 1e-4 here, so
// that a gradient near 0 is not divided by its own round-off) turns into updates off by less.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "dist/mpi_communicator.hh"
#include "gan/model_spec.hh"
#include "train/distributed_gradients.hh"
#include "train/gan_step.hh"

namespace calo::train {
namespace {

constexpr const char* kSpec = R"({
  "format": "calo3dgan-model-spec-1", "name": "tiny-dist", "description": "test", "latent_size": 8,
  "image_shape": [4, 4, 4],
  "generator": {"layers": [
    {"type": "Dense", "name": "dense", "units": 128},
    {"type": "Reshape", "name": "reshape", "target_shape": [4, 4, 4, 2]},
    {"type": "Conv3D", "name": "conv1", "filters": 2, "kernel_size": [3, 3, 3], "padding": "same"},
    {"type": "LeakyReLU", "name": "lrelu1", "alpha": 0.3},
    {"type": "Conv3D", "name": "conv2", "filters": 1, "kernel_size": [2, 2, 2], "padding": "same"},
    {"type": "ReLU", "name": "relu2"}]},
  "discriminator": {"layers": [
    {"type": "Conv3D", "name": "conv1", "filters": 4, "kernel_size": [3, 3, 3], "padding": "same"},
    {"type": "LeakyReLU", "name": "lrelu1", "alpha": 0.3},
    {"type": "Conv3D", "name": "conv2", "filters": 2, "kernel_size": [2, 2, 2], "padding": "same"},
    {"type": "LeakyReLU", "name": "lrelu2", "alpha": 0.3},
    {"type": "Flatten", "name": "flatten"}],
   "heads": [
    {"output": "real_fake",
     "layers": [{"type": "Dense", "name": "generation", "units": 1, "activation": "sigmoid"}]},
    {"output": "energy", "layers": [{"type": "Dense", "name": "auxiliary", "units": 1}]}],
   "ecal_sum": true}
})";

constexpr std::int64_t kCells = 64, kLatent = 8;

dist::MpiCommunicator& world() {
  static dist::MpiCommunicator comm;
  return comm;
}

struct Trainer {
  gan::ModelSpec spec = gan::parse_model_spec(kSpec, "test spec");
  nn::Context ctx{1};
  gan::Generator gen{ctx, spec};
  gan::Discriminator disc{ctx, spec};
  nn::RMSprop opt_g{gen.store(), 1e-3f, 0.9f, 1e-4f};
  nn::RMSprop opt_d{disc.store(), 1e-3f, 0.9f, 1e-4f};
  GanStep step{ctx, gen, disc, opt_g, opt_d, StepConfig{}};
  Trainer() {
    Rng rng(11, 0);
    gen.initialise(rng);
    disc.initialise(rng);
  }
};

/// The [begin, end) events of a global batch's arrays (per-event blocks of `width` floats).
std::vector<float> rows(const std::vector<float>& v, std::int64_t width, std::int64_t begin,
                        std::int64_t end) {
  return {v.begin() + begin * width, v.begin() + end * width};
}

StepDraws slice(const StepDraws& d, std::int64_t begin, std::int64_t end) {
  StepDraws s;
  s.real_labels = rows(d.real_labels, 1, begin, end);
  s.fake_labels = rows(d.fake_labels, 1, begin, end);
  s.fake_energy = rows(d.fake_energy, 1, begin, end);
  for (const auto& z : d.latent) s.latent.push_back(rows(z, kLatent, begin, end));
  return s;
}

void expect_close(std::span<const float> one, std::span<const float> two, const char* what, int step) {
  ASSERT_EQ(one.size(), two.size());
  double worst = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    const double tol = 2e-6 * std::abs(one[i]) + 1e-7;
    worst = std::max(worst, std::abs(one[i] - two[i]) / tol);
    ASSERT_LE(std::abs(one[i] - two[i]), tol) << what << " parameter " << i << " after step " << step;
  }
  ::testing::Test::RecordProperty(std::string(what) + "_worst_over_tolerance_step" + std::to_string(step),
                                  std::to_string(worst));
}

/// 3 steps of the one-process reference and of this rank's share of the two-rank run, with the
/// Dense layers' gradients exchanged as `factors` says; the parameters compared after each.
void expect_two_ranks_equal_one(DenseFactors factors, const std::vector<std::string>& factor_layers) {
  ASSERT_EQ(world().size(), 2);
  const int r = world().rank();
  Trainer one, two;  // the one-process reference and this rank's share of the two-rank run
  // Small buckets: several per network, overlapped. Up to 8 events per rank.
  DistributedGradients sync(world(), 256, nullptr, true, 8, factors);
  two.step.set_gradient_sync(&sync);
  // Global batches of 8 split 4 + 4, 6 + 2 (unequal), 8 + 0 (rank 1 has no event).
  const std::int64_t global = 8;
  const std::int64_t split[3] = {4, 6, 8};
  Rng data_rng(5, 1);
  for (int s = 0; s < 3; ++s) {
    std::vector<float> images(global * kCells), energy(global);
    for (float& x : images)
      x = data_rng.uniform() < 0.5 ? static_cast<float>(0.1 * data_rng.exponential()) : 0.f;
    for (float& e : energy) e = static_cast<float>(0.1 + 4.9 * data_rng.uniform());
    const StepDraws draws = draw_step(one.step.config(), global, kLatent, data_rng);
    one.step.step(images, energy, draws);

    const std::int64_t begin = r == 0 ? 0 : split[s], end = r == 0 ? split[s] : global;
    sync.set_batches(end - begin, global);
    two.step.step(rows(images, kCells, begin, end), rows(energy, 1, begin, end), slice(draws, begin, end));
    expect_close(one.disc.store().values(), two.disc.store().values(), "discriminator", s + 1);
    expect_close(one.gen.store().values(), two.gen.store().values(), "generator", s + 1);
  }
  // The test would pass without any exchange if nothing moved: the weights did.
  Trainer initial;
  EXPECT_NE(std::vector<float>(initial.gen.store().values().begin(), initial.gen.store().values().end()),
            std::vector<float>(two.gen.store().values().begin(), two.gen.store().values().end()));
  EXPECT_GT(sync.buckets(two.disc.store()), 1u);
  std::vector<std::string> layers = sync.factor_layers(two.gen.store());
  for (const auto& name : sync.factor_layers(two.disc.store())) layers.push_back(name);
  EXPECT_EQ(layers, factor_layers);
}

TEST(DistributedStep, TwoRanksGiveTheParametersOfOneRankWithTheWholeBatch) {
  // The tiny Dense layers' gradients are smaller than their factors: allreduced under auto.
  expect_two_ranks_equal_one(DenseFactors::automatic, {});
}

TEST(DistributedStep, WithDenseLayersExchangingFactorsTooTheParametersAreThoseOfOneRank) {
  // Every Dense layer (the generator's first, the discriminator's two heads) gathers each
  // rank's inputs and output gradients instead; the 8 + 0 split has a rank with none.
  expect_two_ranks_equal_one(DenseFactors::always,
                             {"generator/dense", "discriminator/auxiliary", "discriminator/generation"});
}

TEST(DistributedStep, WithoutTheExchangeTheRanksWouldDiffer) {
  // The same split with no gradient sync: the ranks' weights then differ from the reference,
  // so the equality above is the averaging's doing.
  const int r = world().rank();
  Trainer one, alone;
  Rng data_rng(5, 1);
  std::vector<float> images(8 * kCells), energy(8);
  for (float& x : images)
    x = data_rng.uniform() < 0.5 ? static_cast<float>(0.1 * data_rng.exponential()) : 0.f;
  for (float& e : energy) e = static_cast<float>(0.1 + 4.9 * data_rng.uniform());
  const StepDraws draws = draw_step(one.step.config(), 8, kLatent, data_rng);
  one.step.step(images, energy, draws);
  alone.step.step(rows(images, kCells, 4 * r, 4 * r + 4), rows(energy, 1, 4 * r, 4 * r + 4),
                  slice(draws, 4 * r, 4 * r + 4));
  double diff = 0;
  for (std::size_t i = 0; i < one.disc.store().size(); ++i)
    diff = std::max(
        diff, static_cast<double>(std::abs(one.disc.store().values()[i] - alone.disc.store().values()[i])));
  EXPECT_GT(diff, 1e-5);
}

}  // namespace
}  // namespace calo::train
