// One GanStep against the same step in PyTorch (bench/reference/recipe_step.py: recipe.py's
// losses, RMSprop and frozen D, float64) with the same weights, optimiser state, real batch
// and draws (labels flipped by the draws, energies, latent batches). Compared, each as
// max|cpp - ref| / max|ref| over a tensor:
//   - the change of every parameter and BatchNorm moving statistic made by the step
//     (after - before: the update itself, not the weights it is added to), D and G;
//   - the loss terms and totals of D real, D fake and each G update.
// The 3dgan architecture (25^3) with small filter counts (G 8,4,4; D 4,4), batch 2 and
// dropout rate 0 (the reference's `--dropout off`, as gan's crosscheck): seconds, and ~100x
// fewer activations than 3dgan-16, so a float32 pre-activation next to a LeakyReLU kink
// (which takes the other slope than in float64; gan/crosscheck.test.cc) is unlikely; one
// would show as a failure, not pass unseen.
// RMSprop state: from zero, the first update is lr g / (sqrt(0.1) |g| + eps) ~ 3.16 lr sign(g),
// so a gradient element at float32 noise level would flip a full-size update. The
// accumulators start at max|g|^2 per tensor (g from a probe step that is then undone), which
// makes the update ~ lr g / max|g|: as well conditioned as the gradients themselves.
// Seeds (CALO_STEP_CROSSCHECK_SEED=<n> runs another; default 22): 21, 22, 24 pass (worst
// 8.7e-5, 5.6e-5, 9.7e-5: BatchNorm gamma updates, whose gradients are the ill-conditioned
// sums of gan/crosscheck.test.cc); 23 fails at 3.7e-3 on discriminator conv1/conv2 and the
// G loss after them, the pattern of one pre-activation at a LeakyReLU kink taking the other
// slope (gan's crosscheck makes its reference follow the C++ branch there; this test does
// not yet, so such a seed fails rather than passes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "gan/checkpoint.hh"
#include "gan/model_spec.hh"
#include "gan/tensor_names.hh"
#include "io/checkpoint_file.hh"
#include "scratch_directory.hh"
#include "train/gan_step.hh"
#include "train_test_support.hh"

namespace calo::train::test {
namespace {

constexpr double kTolerance = 1e-4;  // float32 against float64, as gan's crosscheck
constexpr std::int64_t kBatch = 2;
std::uint64_t seed() {
  const char* env = std::getenv("CALO_STEP_CROSSCHECK_SEED");
  return env ? std::stoull(env) : 22;
}
const std::vector<std::int64_t> kGenFilters{8, 4, 4}, kDiscFilters{4, 4};

/// 3dgan-16 with the small filter counts and no dropout.
gan::ModelSpec small_spec() {
  gan::ModelSpec spec = gan::load_model_spec("3dgan-16");
  spec.name = "step-crosscheck";
  int g = 0, dsc = 0;
  for (gan::LayerSpec& l : spec.generator.layers)
    if (l.type == gan::LayerType::conv3d && l.filters != 1) l.filters = kGenFilters.at(g++);
  for (gan::LayerSpec& l : spec.discriminator.layers) {
    if (l.type == gan::LayerType::conv3d) l.filters = kDiscFilters.at(dsc++ == 0 ? 0 : 1);
    if (l.type == gan::LayerType::dropout) l.rate = 0.0;
  }
  gan::validate_model_spec(spec);
  return spec;
}

double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return INFINITY;
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(got[i]) - want[i]));
    scale = std::max(scale, std::abs(static_cast<double>(want[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

std::vector<float> copy(std::span<const float> v) { return {v.begin(), v.end()}; }

/// Every parameter and moving statistic by its exchange name ("generator/conv1/kernel").
std::map<std::string, std::vector<float>> tensors(nn::ParameterStore& store) {
  std::map<std::string, std::vector<float>> out;
  for (std::size_t i = 0; i < store.parameters().size(); ++i)
    out[gan::tensor_name(store.parameters()[i].name)] = copy(store.value(i));
  for (std::size_t i = 0; i < store.states().size(); ++i)
    out[gan::tensor_name(store.states()[i].name)] = copy(store.state(i));
  return out;
}

void restore(nn::ParameterStore& store, const std::map<std::string, std::vector<float>>& saved) {
  for (std::size_t i = 0; i < store.parameters().size(); ++i)
    std::ranges::copy(saved.at(gan::tensor_name(store.parameters()[i].name)), store.value(i).begin());
  for (std::size_t i = 0; i < store.states().size(); ++i)
    std::ranges::copy(saved.at(gan::tensor_name(store.states()[i].name)), store.state(i).begin());
}

/// RMSprop accumulators max|g|^2 per parameter, from the store's current gradients.
std::map<std::string, std::vector<float>> conditioned_rms(nn::ParameterStore& store) {
  std::map<std::string, std::vector<float>> out;
  for (std::size_t i = 0; i < store.parameters().size(); ++i) {
    float m = 0;
    for (float g : store.grad(i)) m = std::max(m, std::abs(g));
    out[store.parameters()[i].name + "/rms"] = std::vector<float>(store.value(i).size(), m * m);
  }
  return out;
}

TEST(StepCrossCheck, OneStepMatchesThePyTorchRecipe) {
  if (run_command("/usr/bin/python3 -c 'import torch, h5py'").exit_code != 0)
    GTEST_SKIP() << "/usr/bin/python3 cannot import torch (scripts/setup.sh installs python3-torch)";
  const gan::ModelSpec spec = small_spec();
  nn::Context ctx(2);
  gan::Generator gen(ctx, spec);
  gan::Discriminator disc(ctx, spec);
  Rng rng(seed(), 0);
  gen.initialise(rng);
  disc.initialise(rng);

  // The real batch (sparse showers [GeV]) and the draws (p = 0.5: both labels in a batch of 2).
  const std::int64_t cells = disc.input_dims(1).elements();
  std::vector<float> images(kBatch * cells), energy(kBatch);
  for (float& x : images) x = rng.uniform() < 0.3 ? static_cast<float>(0.05 * rng.exponential()) : 0.f;
  for (float& e : energy) e = static_cast<float>(0.1 + 4.9 * rng.uniform());
  StepConfig config;
  config.label_flip_probability = 0.5;
  StepDraws draws = draw_step(config, kBatch, gen.latent_size(), rng);
  draws.real_labels = {1.f, 0.f};  // one flip each, whatever the stream gave
  draws.fake_labels = {1.f, 0.f};

  // Probe step with lr 0 for the gradient scales, then everything put back.
  const auto gen_before = tensors(gen.store()), disc_before = tensors(disc.store());
  std::map<std::string, std::vector<float>> rms_g, rms_d;
  {
    nn::RMSprop probe_g(gen.store(), 0.f), probe_d(disc.store(), 0.f);
    GanStep(ctx, gen, disc, probe_g, probe_d, config).step(images, energy, draws);
    rms_g = conditioned_rms(gen.store());
    rms_d = conditioned_rms(disc.store());
    restore(gen.store(), gen_before);
    restore(disc.store(), disc_before);
  }
  nn::RMSprop opt_g(gen.store()), opt_d(disc.store());
  opt_g.load_state(rms_g);
  opt_d.load_state(rms_d);

  calo::test::ScratchDirectory dir;
  const std::string weights = dir.file("weights.h5"), inputs = dir.file("inputs.h5"),
                    out = dir.file("ref.h5");
  gan::save_checkpoint(weights, spec, {&gen, &disc, &opt_g, &opt_d}, {});
  {
    io::CheckpointWriter f(inputs, true);
    const auto& s = spec.image_shape;
    f.write_array("real/images", {kBatch, s[0], s[1], s[2]}, images);
    f.write_array("real/energy", {kBatch}, energy);
    f.write_array("draws/real_labels", {kBatch}, draws.real_labels);
    f.write_array("draws/fake_labels", {kBatch}, draws.fake_labels);
    f.write_array("draws/fake_energy", {kBatch}, draws.fake_energy);
    for (std::size_t k = 0; k < draws.latent.size(); ++k)
      f.write_array("draws/latent_" + std::to_string(k), {kBatch, gen.latent_size()}, draws.latent[k]);
    f.set_attribute("", "format", "calo3dgan-step-crosscheck-inputs-1");
    f.commit();
  }

  const StepLosses losses = GanStep(ctx, gen, disc, opt_g, opt_d, config).step(images, energy, draws);

  const std::string command =
      "/usr/bin/python3 " CALO_TEST_SOURCE_DIR
      "/bench/reference/recipe_step.py --gen-filters 8,4,4 --disc-filters 4,4 --weights " +
      weights + " --inputs " + inputs + " --out " + out;
  const CommandResult python = run_command(command);
  ASSERT_EQ(python.exit_code, 0) << command << "\n" << python.output;
  const io::CheckpointReader ref(out);

  double worst = 0;
  std::string worst_name;
  auto check = [&](const std::string& name, const std::vector<float>& got, const std::vector<float>& want) {
    const double err = relative_error(got, want);
    EXPECT_LE(err, kTolerance) << name;
    if (err > worst) worst = err, worst_name = name;
  };
  for (auto [store, before] :
       {std::pair{&gen.store(), &gen_before}, std::pair{&disc.store(), &disc_before}}) {
    int changed = 0;
    for (const auto& [name, after] : tensors(*store)) {
      std::vector<float> delta(after.size());
      for (std::size_t i = 0; i < after.size(); ++i) delta[i] = after[i] - before->at(name)[i];
      const std::vector<float> want = ref.read_array("delta/" + name);
      changed += std::ranges::any_of(want, [](float x) { return x != 0; });
      check("delta/" + name, delta, want);
    }
    EXPECT_EQ(changed, static_cast<int>(before->size())) << "every tensor is updated by the step";
  }
  // Each loss term on its own scale; D real's ECAL-sum term is ~0 in both (its targets are
  // the showers' own sums), so it is compared absolutely [%].
  auto check_losses = [&](const std::string& pass, const LossTerms& t) {
    const std::vector<float> want = ref.read_array("losses/" + pass);
    ASSERT_EQ(want.size(), 4u);
    check("losses/" + pass + "/bce", {t.real_fake}, {want[0]});
    check("losses/" + pass + "/mape_energy", {t.energy}, {want[1]});
    if (pass == "d_real")
      EXPECT_NEAR(t.ecal_sum, want[2], 1e-4) << pass;
    else
      check("losses/" + pass + "/mape_ecal", {t.ecal_sum}, {want[2]});
    check("losses/" + pass + "/total", {t.total}, {want[3]});
  };
  check_losses("d_real", losses.d_real);
  check_losses("d_fake", losses.d_fake);
  ASSERT_EQ(losses.generator.size(), 2u);
  for (std::size_t k = 0; k < losses.generator.size(); ++k)
    check_losses("g" + std::to_string(k + 1), losses.generator[k]);
  std::printf("seed %llu: worst relative error %.2e (%s)\n", static_cast<unsigned long long>(seed()), worst,
              worst_name.c_str());
}

}  // namespace
}  // namespace calo::train::test
