// The trainer's needs of the discriminator and checkpoints: the frozen D of a generator
// update (moving statistics used and kept, no weight gradients, Dropout active, image
// gradient still computed), the device-side sum of its two head paths, and exact resume
// state (64-bit optimiser step counts, Dropout mask streams) through a checkpoint.
#include <gtest/gtest.h>

#include <cmath>

#include "gan/checkpoint.hh"
#include "gan/discriminator.hh"
#include "gan_test_support.hh"

namespace calo::gan::test {
namespace {

std::vector<float> states_of(const nn::ParameterStore& store) {
  std::vector<float> v;
  for (std::size_t i = 0; i < store.states().size(); ++i) {
    auto s = const_cast<nn::ParameterStore&>(store).state(i);
    v.insert(v.end(), s.begin(), s.end());
  }
  return v;
}

nn::Tensor shower(nn::Context& ctx, const Discriminator& d, std::int64_t batch, std::uint64_t seed) {
  std::vector<float> cells(static_cast<std::size_t>(d.input_dims(batch).elements()));
  Rng rng(seed, 0);
  for (float& c : cells) c = static_cast<float>(std::abs(rng.normal()));
  return nn::Tensor::from_host(ctx, d.input_dims(batch), cells);
}

TEST(GanFrozenDiscriminator, KeepsStatisticsGivesImageGradientOnly) {
  nn::Context ctx(1);
  const ModelSpec spec = load_model_spec("3dgan-16");
  Discriminator d(ctx, spec);
  Rng rng(3, 0);
  d.initialise(rng);
  const nn::Tensor image = shower(ctx, d, 2, 5);
  d.forward(image, nn::Mode::train);  // moving statistics away from their init
  const std::vector<float> before = states_of(d.store());

  d.set_frozen(true);
  const std::vector<float> p1 = d.forward(image, nn::Mode::train).real_fake->to_host();
  const std::vector<float> p2 = d.forward(image, nn::Mode::train).real_fake->to_host();
  EXPECT_NE(p1, p2) << "Dropout must stay active in the frozen D";
  const nn::Tensor ones = nn::Tensor::from_host(ctx, {.n = 2, .c = 1}, std::vector<float>{1.f, 1.f});
  d.store().zero_grads();
  const nn::Tensor* diff = d.backward({.real_fake = &ones, .energy = &ones, .ecal_sum = &ones}, true);
  ASSERT_TRUE(diff);
  double n = 0;
  for (float v : diff->to_host()) n += std::abs(v - 1.f);  // beyond the ECAL-sum path's ones
  EXPECT_GT(n, 0);
  for (float g : d.store().grads()) ASSERT_EQ(g, 0.f);
  EXPECT_EQ(states_of(d.store()), before);

  d.set_frozen(false);
  d.forward(image, nn::Mode::train);
  d.backward({.real_fake = &ones}, false);
  EXPECT_NE(states_of(d.store()), before);
  const auto g = d.store().grads();
  EXPECT_GT(std::count_if(g.begin(), g.end(), [](float v) { return v != 0.f; }), 0);
}

// The two head paths are summed on the device now: backward is linear in the head grads.
TEST(GanFrozenDiscriminator, HeadPathsSumLinearly) {
  nn::Context ctx(1);
  const ModelSpec spec = load_model_spec("3dgan-16");
  Discriminator d(ctx, spec);
  Rng rng(4, 0);
  d.initialise(rng);
  const nn::Tensor image = shower(ctx, d, 2, 6);
  const nn::Dims one{.n = 2, .c = 1};
  const nn::Tensor ga = nn::Tensor::from_host(ctx, one, std::vector<float>{0.7f, -1.1f});
  const nn::Tensor gb = nn::Tensor::from_host(ctx, one, std::vector<float>{-0.4f, 2.f});
  const auto streams = d.dropout_streams();
  auto run = [&](const nn::Tensor* a, const nn::Tensor* b) {
    d.set_dropout_streams(streams);  // the same masks each time
    d.forward(image, nn::Mode::train);
    return d.backward({.real_fake = a, .energy = b}, true)->to_host();
  };
  const std::vector<float> both = run(&ga, &gb), a = run(&ga, nullptr), b = run(nullptr, &gb);
  double scale = 0;
  for (float v : both) scale = std::max<double>(scale, std::abs(v));
  ASSERT_GT(scale, 0);
  for (std::size_t i = 0; i < both.size(); ++i) ASSERT_NEAR(both[i], a[i] + b[i], 1e-5 * scale) << i;
}

TEST(GanCheckpointResume, StepCountsAboveFloatPrecisionAndDropoutStreams) {
  ScratchDirectory dir;
  const std::string path = dir.file("ckpt.h5");
  nn::Context ctx(1);
  const ModelSpec spec = load_model_spec("3dgan-v1");
  Discriminator d(ctx, spec);
  Rng rng(1, 0);
  d.initialise(rng);
  nn::RMSprop opt_d(d.store());
  const std::int64_t big = (std::int64_t{1} << 40) + 3;  // a float would round it
  opt_d.set_iterations(big);
  d.set_dropout_seed(77);
  const nn::Tensor image = shower(ctx, d, 1, 2);
  for (int i = 0; i < 3; ++i) d.forward(image, nn::Mode::train);
  const auto streams = d.dropout_streams();
  ASSERT_FALSE(streams.empty());
  EXPECT_EQ(streams[0].counter, 3u);
  TrainingPosition position;
  position.step = big;
  save_checkpoint(path, spec, {.discriminator = &d, .discriminator_optimizer = &opt_d}, position);

  Discriminator e(ctx, spec);
  nn::RMSprop opt_e(e.store());
  const TrainingPosition at =
      load_checkpoint(path, spec, {.discriminator = &e, .discriminator_optimizer = &opt_e});
  EXPECT_EQ(at.step, big);
  EXPECT_EQ(opt_e.iterations(), big);
  EXPECT_EQ(e.dropout_streams(), streams);
  // The resumed D draws the masks the original draws next.
  EXPECT_EQ(e.forward(image, nn::Mode::train).real_fake->to_host(),
            d.forward(image, nn::Mode::train).real_fake->to_host());

  const std::string check =
      "import h5py, sys\n"
      "f = h5py.File(sys.argv[1], 'r')\n"
      "assert int(f['optimizer/discriminator/iterations'][()]) == 2**40 + 3\n"
      "assert list(f['training/dropout_counters']) == [3] * len(f['training/dropout_seeds'])\n";
  CommandResult r = run_command("/usr/bin/python3 -c \"" + check + "\" " + path);
  if (python_has("h5py")) {
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
}

}  // namespace
}  // namespace calo::gan::test
