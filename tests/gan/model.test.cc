// The built networks: parameter counts and names of the nn stores (matched with the
// PyTorch reference of bench/reference when /usr/bin/python3 has torch), output shapes of
// a forward pass, and the discriminator's outputs and gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>
#include <sstream>

#include "gan/discriminator.hh"
#include "gan/generator.hh"
#include "gan/tensor_names.hh"
#include "gan_test_support.hh"

namespace calo::gan::test {
namespace {

/// Checkpoint names of every entry (parameters and state) of a store.
std::vector<std::string> names_of(const nn::ParameterStore& store) {
  std::vector<std::string> names;
  for (const auto& p : store.parameters()) names.push_back(tensor_name(p.name));
  for (const auto& p : store.states()) names.push_back(tensor_name(p.name));
  return names;
}

std::size_t state_size(const nn::ParameterStore& store) {
  std::size_t n = 0;
  for (const auto& s : store.states()) n += s.size;
  return n;
}

TEST(GanModelTest, StoresHoldTheSpecifiedParameterCounts) {
  nn::Context ctx(1);
  const ModelSpec s16 = load_model_spec("3dgan-16"), v1 = load_model_spec("3dgan-v1");
  EXPECT_EQ(Generator(ctx, s16).store().size(), 1042368u);
  EXPECT_EQ(Discriminator(ctx, s16).store().size(), 174770u);
  EXPECT_EQ(state_size(Generator(ctx, s16).store()), 160u);
  EXPECT_EQ(state_size(Discriminator(ctx, s16).store()), 96u);
  EXPECT_EQ(Generator(ctx, v1).store().size(), 872808u);
  EXPECT_EQ(Discriminator(ctx, v1).store().size(), 73402u);
}

TEST(GanModelTest, ParameterNamesAreTheReferenceNames) {
  nn::Context ctx(1);
  const ModelSpec spec = load_model_spec("3dgan-16");
  const std::vector<std::string> gen = names_of(Generator(ctx, spec).store());
  const std::set<std::string> g(gen.begin(), gen.end());
  for (const char* n :
       {"generator/dense/kernel", "generator/dense/bias", "generator/conv1/kernel", "generator/bn1/gamma",
        "generator/bn1/beta", "generator/bn1/moving_mean", "generator/bn1/moving_variance",
        "generator/conv2/kernel", "generator/conv3/bias", "generator/conv4/kernel"})
    EXPECT_TRUE(g.count(n)) << n;
  EXPECT_FALSE(g.count("generator/conv4/bias"));  // conv4 has no bias
  EXPECT_EQ(gen.size(), 2u + 2 + 4 + 2 + 4 + 2 + 1);
  const std::vector<std::string> disc = names_of(Discriminator(ctx, spec).store());
  const std::set<std::string> d(disc.begin(), disc.end());
  for (const char* n : {"discriminator/conv1/kernel", "discriminator/bn4/moving_variance",
                        "discriminator/generation/kernel", "discriminator/auxiliary/bias"})
    EXPECT_TRUE(d.count(n)) << n;
  EXPECT_EQ(disc.size(), 4u * 2 + 3u * 4 + 2u * 2);
}

TEST(GanModelTest, CountsAndNamesAgreeWithThePyTorchReference) {
  if (!python_has("torch, h5py")) GTEST_SKIP() << "/usr/bin/python3 cannot import torch";
  nn::Context ctx(1);
  for (const std::string variant : {"3dgan-16", "3dgan-v1"}) {
    const ModelSpec spec = load_model_spec(variant);
    Generator g(ctx, spec);
    Discriminator d(ctx, spec);
    const std::string script = "import sys; sys.path.insert(0, '" + std::string(CALO_TEST_SOURCE_DIR) +
                               "/bench/reference')\n"
                               "import model as M, weights as W\n"
                               "for p, net in (('generator', M.Generator('" +
                               variant + "')), ('discriminator', M.Discriminator('" + variant +
                               "'))):\n"
                               "    print(p, M.count_trainable(net))\n"
                               "    for name, t in W.named_tensors(net, p): print(name, *t.shape)\n";
    const CommandResult r = run_command("/usr/bin/python3 -c \"" + script + "\"");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // The reference lists a layer's tensors in layer order; the stores list parameters,
    // then state: compare as sets of "name dims...".
    std::set<std::string> ours, theirs;
    for (const auto* store : {&g.store(), &d.store()})
      for (const auto* list : {&store->parameters(), &store->states()})
        for (const auto& p : *list) {
          std::string line = tensor_name(p.name);
          for (auto dim : p.shape) line.append(" ").append(std::to_string(dim));
          ours.insert(line);
        }
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.find('/') == std::string::npos) {  // "<net> <trainable count>"
        const bool is_gen = line.rfind("generator ", 0) == 0;
        EXPECT_EQ(line, is_gen ? "generator " + std::to_string(g.store().size())
                               : "discriminator " + std::to_string(d.store().size()))
            << variant;
      } else {
        theirs.insert(line);
      }
    }
    EXPECT_EQ(ours, theirs) << variant;
  }
}

TEST(GanModelTest, ForwardShapesAndOutputs) {
  nn::Context ctx(2);
  const ModelSpec spec = load_model_spec("3dgan-16");
  Generator g(ctx, spec);
  Discriminator d(ctx, spec);
  Rng rng(7, 0);
  g.initialise(rng);
  d.initialise(rng);
  const std::int64_t batch = 2;
  std::vector<float> z(static_cast<std::size_t>(batch * g.latent_size()));
  for (std::size_t i = 0; i < z.size(); ++i)
    z[i] = static_cast<float>(rng.normal()) * (i < 200 ? 0.5f : 2.0f);
  const nn::Tensor zt = nn::Tensor::from_host(ctx, g.input_dims(batch), z);

  const nn::Tensor& image = g.forward(zt, nn::Mode::train);
  EXPECT_EQ(image.dims(), (nn::Dims{.n = 2, .c = 1, .d = 25, .h = 25, .w = 25}));
  const std::vector<float> cells = image.to_host();
  EXPECT_TRUE(std::all_of(cells.begin(), cells.end(), [](float v) { return v >= 0.f && std::isfinite(v); }));
  EXPECT_GT(*std::max_element(cells.begin(), cells.end()), 0.f);

  const DiscriminatorOutputs out = d.forward(image, nn::Mode::train);
  ASSERT_TRUE(out.real_fake && out.energy && out.ecal_sum);
  const nn::Dims one{.n = 2, .c = 1};
  EXPECT_EQ(out.real_fake->dims(), one);
  EXPECT_EQ(out.energy->dims(), one);
  EXPECT_EQ(out.ecal_sum->dims(), one);
  for (float p : out.real_fake->to_host()) EXPECT_TRUE(p > 0.f && p < 1.f) << p;
  const std::vector<float> sums = out.ecal_sum->to_host();
  for (std::size_t n = 0; n < 2; ++n) {
    double sum = std::accumulate(cells.begin() + n * 15625, cells.begin() + (n + 1) * 15625, 0.0);
    EXPECT_NEAR(sums[n], sum, 1e-4 * sum + 1e-6);
  }

  // Backward: d loss / d image = trunk path + ones from the ECAL sum; gradients of D only.
  const std::vector<float> ones{1.f, 1.f};
  const nn::Tensor g1 = nn::Tensor::from_host(ctx, one, ones);
  d.store().zero_grads();
  const nn::Tensor* diff = d.backward({.real_fake = &g1, .energy = &g1, .ecal_sum = &g1}, true);
  ASSERT_TRUE(diff);
  EXPECT_EQ(diff->dims(), image.dims());
  const auto grads = d.store().grads();
  EXPECT_GT(std::count_if(grads.begin(), grads.end(), [](float v) { return v != 0.f; }), 0);

  // With only the ECAL-sum gradient the image gradient is exactly that gradient everywhere.
  d.forward(image, nn::Mode::train);
  const nn::Tensor* only_sum = d.backward({.ecal_sum = &g1}, true);
  const std::vector<float> s = only_sum->to_host();
  EXPECT_TRUE(std::all_of(s.begin(), s.end(), [](float v) { return v == 1.f; }));

  const nn::Tensor* dz = g.backward(*diff, true);
  ASSERT_TRUE(dz);
  EXPECT_EQ(dz->dims(), g.input_dims(batch));
}

TEST(GanModelTest, InferenceOnBatchOne) {
  nn::Context ctx(2);
  const ModelSpec spec = load_model_spec("3dgan-v1");
  Generator g(ctx, spec);
  Rng rng(3, 0);
  g.initialise(rng);
  std::vector<float> z(200, 0.3f);
  const nn::Tensor& image = g.forward(nn::Tensor::from_host(ctx, g.input_dims(1), z), nn::Mode::infer);
  EXPECT_EQ(image.dims(), g.output_dims(1));
}

}  // namespace
}  // namespace calo::gan::test
