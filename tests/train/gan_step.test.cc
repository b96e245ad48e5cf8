// GanStep on a tiny model spec (4x4x4 images, latent 8: milliseconds per step, and shapes
// that are not 25^3): the draws' statistics, the losses against a hand computation from
// the networks' outputs, the frozen discriminator left unchanged by the generator updates,
// and refused inputs. The update arithmetic against PyTorch: step_crosscheck.test.cc.
#include "train/gan_step.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.hh"
#include "gan/model_spec.hh"
#include "train_test_support.hh"

namespace calo::train::test {
namespace {

// Generator: z (8) -> Dense 128 -> (4,4,4,2) -> Conv3D 1 3^3 same -> ReLU: a 4x4x4 image.
// Discriminator: Conv3D 2 3^3 same, LeakyReLU, BatchNorm (moving statistics to watch),
// Flatten, the two Dense heads, the ECAL sum. No Dropout, so forwards are repeatable.
constexpr const char* kTinySpec = R"({
  "format": "calo3dgan-model-spec-1", "name": "tiny", "description": "test", "latent_size": 8,
  "image_shape": [4, 4, 4],
  "generator": {"layers": [
    {"type": "Dense", "name": "dense", "units": 128},
    {"type": "Reshape", "name": "reshape", "target_shape": [4, 4, 4, 2]},
    {"type": "Conv3D", "name": "conv1", "filters": 1, "kernel_size": [3, 3, 3], "padding": "same"},
    {"type": "ReLU", "name": "relu1"}]},
  "discriminator": {"layers": [
    {"type": "Conv3D", "name": "conv1", "filters": 2, "kernel_size": [3, 3, 3], "padding": "same"},
    {"type": "LeakyReLU", "name": "lrelu1", "alpha": 0.3},
    {"type": "BatchNormalization", "name": "bn1", "momentum": 0.99, "epsilon": 0.001},
    {"type": "Flatten", "name": "flatten"}],
   "heads": [
    {"output": "real_fake",
     "layers": [{"type": "Dense", "name": "generation", "units": 1, "activation": "sigmoid"}]},
    {"output": "energy", "layers": [{"type": "Dense", "name": "auxiliary", "units": 1}]}],
   "ecal_sum": true}
})";

constexpr std::int64_t kBatch = 6;
constexpr std::int64_t kCells = 64;

struct Model {
  gan::ModelSpec spec = gan::parse_model_spec(kTinySpec, "tiny spec");
  nn::Context ctx{1};
  gan::Generator gen{ctx, spec};
  gan::Discriminator disc{ctx, spec};
  explicit Model(std::uint64_t seed = 3) {
    Rng rng(seed, 0);
    gen.initialise(rng);
    disc.initialise(rng);
  }
};

/// Shower-like real batch: sparse positive cells [GeV], energies U(0.1, 5) [100 GeV].
void real_batch(std::vector<float>& images, std::vector<float>& energy, Rng& rng) {
  images.assign(kBatch * kCells, 0.f);
  for (float& x : images) x = rng.uniform() < 0.5 ? static_cast<float>(0.1 * rng.exponential()) : 0.f;
  energy.resize(kBatch);
  for (float& e : energy) e = static_cast<float>(0.1 + 4.9 * rng.uniform());
}

std::vector<float> copy(std::span<const float> v) { return {v.begin(), v.end()}; }

/// Every parameter and BatchNorm moving statistic of a store.
std::vector<std::vector<float>> snapshot(nn::ParameterStore& store) {
  std::vector<std::vector<float>> out;
  for (std::size_t i = 0; i < store.parameters().size(); ++i) out.push_back(copy(store.value(i)));
  for (std::size_t i = 0; i < store.states().size(); ++i) out.push_back(copy(store.state(i)));
  return out;
}

/// RMSprop that records its store right after each update.
class RecordingRMSprop : public nn::RMSprop {
 public:
  explicit RecordingRMSprop(nn::ParameterStore& store, float lr = 1e-3f)
      : RMSprop(store, lr), watched_(store) {}
  void step() override {
    RMSprop::step();
    after_last_step = snapshot(watched_);
  }
  std::vector<std::vector<float>> after_last_step;

 private:
  nn::ParameterStore& watched_;
};

TEST(GanStep, DrawsHaveTheRecipesDistributions) {
  StepConfig config;
  const std::int64_t n = 40000, latent = 8;
  Rng rng(1, 0);
  const StepDraws d = draw_step(config, n, latent, rng);
  // Flips: binomial(n, 0.05), sigma = sqrt(n p (1 - p)) = 43.6; allow 5 sigma.
  const double real_flipped = n - std::accumulate(d.real_labels.begin(), d.real_labels.end(), 0.0);
  const double fake_flipped = std::accumulate(d.fake_labels.begin(), d.fake_labels.end(), 0.0);
  EXPECT_NEAR(real_flipped, 0.05 * n, 5 * 43.6);
  EXPECT_NEAR(fake_flipped, 0.05 * n, 5 * 43.6);
  for (std::int64_t i = 0; i < n; ++i) {
    ASSERT_TRUE(d.real_labels[i] == 0.f || d.real_labels[i] == 1.f);
    ASSERT_TRUE(d.fake_labels[i] == 0.f || d.fake_labels[i] == 1.f);
  }
  // Energies U(0.1, 5): mean 2.55, sigma of the mean 4.9 / sqrt(12 n) = 0.0071.
  const auto [lo, hi] = std::ranges::minmax(d.fake_energy);
  EXPECT_GE(lo, 0.1f);
  EXPECT_LT(hi, 5.f);
  const double mean_e = std::accumulate(d.fake_energy.begin(), d.fake_energy.end(), 0.0) / n;
  EXPECT_NEAR(mean_e, 2.55, 5 * 0.0071);
  // Latent: z / E ~ N(0, 1), independent batches for the D step and each G update.
  ASSERT_EQ(d.latent.size(), 3u);
  for (const auto& z : d.latent) {
    ASSERT_EQ(z.size(), static_cast<std::size_t>(n * latent));
    double s = 0, s2 = 0;
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t k = 0; k < latent; ++k) {
        const double u = z[i * latent + k] / d.fake_energy[i];
        s += u, s2 += u * u;
      }
    const double m = static_cast<double>(n * latent);
    EXPECT_NEAR(s / m, 0.0, 5 / std::sqrt(m));
    EXPECT_NEAR(s2 / m, 1.0, 5 * std::sqrt(2 / m));
  }
  EXPECT_NE(d.latent[1], d.latent[2]);
  // p = 0: no flips; p = 1: all.
  config.label_flip_probability = 0;
  const StepDraws none = draw_step(config, 1000, latent, rng);
  EXPECT_TRUE(std::ranges::all_of(none.real_labels, [](float y) { return y == 1.f; }));
  EXPECT_TRUE(std::ranges::all_of(none.fake_labels, [](float y) { return y == 0.f; }));
  config.label_flip_probability = 1;
  const StepDraws all = draw_step(config, 1000, latent, rng);
  EXPECT_TRUE(std::ranges::all_of(all.real_labels, [](float y) { return y == 0.f; }));
}

/// Keras' losses in double, written out: BCE on clipped probabilities, MAPE in percent.
double bce(const std::vector<float>& p, const std::vector<float>& y) {
  double s = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double q = std::clamp(static_cast<double>(p[i]), 1e-7, 1 - 1e-7);
    s -= y[i] * std::log(q) + (1 - y[i]) * std::log(1 - q);
  }
  return s / static_cast<double>(p.size());
}
double mape(const std::vector<float>& p, const std::vector<float>& y) {
  double s = 0;
  for (std::size_t i = 0; i < p.size(); ++i)
    s += std::abs(static_cast<double>(y[i]) - p[i]) / std::max(std::abs(static_cast<double>(y[i])), 1e-7);
  return 100 * s / static_cast<double>(p.size());
}

/// The step's losses against the same passes repeated after it and evaluated by hand. The
/// optimisers have lr 0, so the weights the step saw are the weights after it. The
/// discriminator's moving statistics are those after the step's two D passes, which the
/// frozen passes used; the repeated D passes change them, so they are put back after.
TEST(GanStep, LossesEqualAHandComputationFromTheOutputs) {
  Model m;
  nn::RMSprop opt_g(m.gen.store(), 0.f), opt_d(m.disc.store(), 0.f);
  StepConfig config;
  config.loss_weights = {5.f, 0.3f, 0.7f};  // not the defaults: each weight must be the one used
  config.ecal_sum_fit = EcalSumFit({0.01, -0.1, 1.5});
  config.cell_scale = 40;               // generated targets in the networks' unit, GeV x 40
  config.label_flip_probability = 0.5;  // flips in a batch of 6: both labels occur
  GanStep step(m.ctx, m.gen, m.disc, opt_g, opt_d, config);
  Rng rng(5, 0);
  std::vector<float> images, energy;
  real_batch(images, energy, rng);
  const StepDraws draws = draw_step(config, kBatch, m.gen.latent_size(), rng);
  const StepLosses got = step.step(images, energy, draws);
  ASSERT_EQ(got.generator.size(), 2u);

  gan::DiscriminatorOutputs out;  // of the pass repeated last
  auto check = [&](const LossTerms& t, const std::vector<float>& labels, const std::vector<float>& e,
                   const std::vector<float>& ecal, const std::string& what) {
    const double b = bce(out.real_fake->to_host(), labels), me = mape(out.energy->to_host(), e),
                 mc = mape(out.ecal_sum->to_host(), ecal);
    EXPECT_NEAR(t.real_fake, b, 1e-6 * b) << what;
    EXPECT_NEAR(t.energy, me, 1e-6 * me) << what;
    EXPECT_NEAR(t.ecal_sum, mc, 1e-6 * mc + 1e-6) << what;
    const double total = 5 * b + 0.3 * me + 0.7 * mc;
    EXPECT_NEAR(t.total, total, 1e-6 * total) << what;
    EXPECT_TRUE(std::isfinite(t.total)) << what;
  };
  std::vector<float> real_sum(kBatch), fake_sum(kBatch);
  for (std::int64_t i = 0; i < kBatch; ++i) {
    double sum = 0;
    for (std::int64_t k = 0; k < kCells; ++k) sum += images[i * kCells + k];
    real_sum[i] = static_cast<float>(sum);
    const double e = draws.fake_energy[i];
    fake_sum[i] = static_cast<float>((0.01 * e * e - 0.1 * e + 1.5) * e * 40);
  }
  const nn::Tensor real = nn::Tensor::from_host(m.ctx, m.disc.input_dims(kBatch), images);
  auto z = [&](int k) { return nn::Tensor::from_host(m.ctx, m.gen.input_dims(kBatch), draws.latent[k]); };
  const std::vector<float> ones(kBatch, 1.f);

  std::vector<std::vector<float>> moving;  // after the step
  for (std::size_t i = 0; i < m.disc.store().states().size(); ++i)
    moving.push_back(copy(m.disc.store().state(i)));
  out = m.disc.forward(real, nn::Mode::train);
  check(got.d_real, draws.real_labels, energy, real_sum, "D real");
  EXPECT_LT(got.d_real.ecal_sum, 1e-3) << "the real ECAL-sum target is the showers' own sum";
  const nn::Tensor z0 = z(0);
  out = m.disc.forward(m.gen.forward(z0, nn::Mode::infer), nn::Mode::train);
  check(got.d_fake, draws.fake_labels, draws.fake_energy, fake_sum, "D fake");
  for (std::size_t i = 0; i < moving.size(); ++i)
    std::ranges::copy(moving[i], m.disc.store().state(i).begin());
  m.disc.set_frozen(true);
  for (int k = 1; k <= 2; ++k) {
    const nn::Tensor zk = z(k);
    out = m.disc.forward(m.gen.forward(zk, nn::Mode::train), nn::Mode::train);
    check(got.generator[k - 1], ones, draws.fake_energy, fake_sum, "G update " + std::to_string(k));
  }
  m.disc.set_frozen(false);
}

TEST(GanStep, GeneratorUpdatesLeaveTheDiscriminatorUnchanged) {
  Model m;
  RecordingRMSprop opt_d(m.disc.store());
  RecordingRMSprop opt_g(m.gen.store());
  GanStep step(m.ctx, m.gen, m.disc, opt_g, opt_d, {});
  Rng rng(9, 0);
  std::vector<float> images, energy;
  real_batch(images, energy, rng);
  const auto disc_before = snapshot(m.disc.store());
  const auto gen_before = snapshot(m.gen.store());
  const StepLosses losses = step.step(images, energy, rng);

  EXPECT_EQ(opt_d.iterations(), 2) << "D real and D fake";
  EXPECT_EQ(opt_g.iterations(), 2) << "two generator updates";
  ASSERT_FALSE(opt_d.after_last_step.empty());
  // Weights and moving statistics exactly as after the second D update.
  EXPECT_TRUE(snapshot(m.disc.store()) == opt_d.after_last_step);
  EXPECT_FALSE(disc_before == opt_d.after_last_step) << "the D updates changed nothing";
  EXPECT_FALSE(gen_before == snapshot(m.gen.store())) << "the G updates changed nothing";
  // The frozen state is undone: a training forward updates the moving statistics again.
  const nn::Tensor real = nn::Tensor::from_host(m.ctx, m.disc.input_dims(kBatch), images);
  m.disc.forward(real, nn::Mode::train);
  EXPECT_FALSE(snapshot(m.disc.store()) == opt_d.after_last_step);
  for (const LossTerms& t : {losses.d_real, losses.d_fake, losses.generator[0], losses.generator[1]})
    EXPECT_TRUE(std::isfinite(t.total) && t.total > 0);
}

TEST(GanStep, GeneratorUpdatesAreConfigurable) {
  Model m;
  nn::RMSprop opt_g(m.gen.store()), opt_d(m.disc.store());
  StepConfig config;
  config.generator_updates = 3;
  GanStep step(m.ctx, m.gen, m.disc, opt_g, opt_d, config);
  Rng rng(2, 0);
  std::vector<float> images, energy;
  real_batch(images, energy, rng);
  EXPECT_EQ(step.step(images, energy, rng).generator.size(), 3u);
  EXPECT_EQ(opt_g.iterations(), 3);
  EXPECT_EQ(step.cells_per_image(), kCells);
}

TEST(GanStep, RefusesBadConfigAndInputs) {
  Model m;
  nn::RMSprop opt_g(m.gen.store()), opt_d(m.disc.store());
  auto make = [&](StepConfig c) { GanStep(m.ctx, m.gen, m.disc, opt_g, opt_d, c); };
  StepConfig c;
  c.label_flip_probability = 1.5;
  EXPECT_NE(input_error_message([&] { make(c); }).find("label flip probability"), std::string::npos);
  c = {};
  c.fake_energy_min = 0;
  EXPECT_NE(input_error_message([&] { make(c); }).find("energy range"), std::string::npos);
  c = {};
  c.generator_updates = 0;
  EXPECT_NE(input_error_message([&] { make(c); }).find("generator updates"), std::string::npos);
  c = {};
  c.loss_weights.energy = -1;
  EXPECT_NE(input_error_message([&] { make(c); }).find("loss weights"), std::string::npos);

  GanStep step(m.ctx, m.gen, m.disc, opt_g, opt_d);
  Rng rng(1, 0);
  std::vector<float> images, energy;
  real_batch(images, energy, rng);
  images.pop_back();
  EXPECT_NE(input_error_message([&] { step.step(images, energy, rng); }).find("cells per shower"),
            std::string::npos);
  images.push_back(0);
  StepDraws d = draw_step({}, kBatch, m.gen.latent_size(), rng);
  d.latent.pop_back();
  EXPECT_NE(input_error_message([&] { step.step(images, energy, d); }).find("draws do not match"),
            std::string::npos);
}

}  // namespace
}  // namespace calo::train::test
