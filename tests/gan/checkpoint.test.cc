// Checkpoints: bit-exact round trip of parameters, BatchNorm state, optimiser state and
// training position; h5py and the PyTorch reference read the file; a truncated file, a
// mismatched spec, a missing tensor and a wrong shape are refused and leave the model as is.
#include "gan/checkpoint.hh"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "gan_test_support.hh"

namespace fs = std::filesystem;

namespace calo::gan::test {
namespace {

void fill(std::span<float> v, Rng& rng) {
  for (float& x : v) x = static_cast<float>(rng.normal());
}

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// A model with every parameter, state and optimiser slot set to distinct values.
struct Trained {
  nn::Context& ctx;
  ModelSpec spec;
  Generator g;
  Discriminator d;
  nn::RMSprop opt_g;
  nn::RMSprop opt_d;

  Trained(nn::Context& c, const std::string& variant, std::uint64_t seed)
      : ctx(c), spec(load_model_spec(variant)), g(c, spec), d(c, spec), opt_g(g.store()), opt_d(d.store()) {
    Rng rng(seed, 0);
    g.initialise(rng);
    d.initialise(rng);
    for (auto* store : {&g.store(), &d.store()}) {
      for (std::size_t i = 0; i < store->states().size(); ++i) fill(store->state(i), rng);
    }
    for (int step = 0; step < 2; ++step) {
      fill(g.store().grads(), rng);
      fill(d.store().grads(), rng);
      opt_g.step();
      opt_d.step();
    }
  }
  CheckpointParts parts() { return {&g, &d, &opt_g, &opt_d}; }
};

void expect_same(nn::ParameterStore& a, nn::ParameterStore& b) {
  EXPECT_TRUE(same_bits(a.values(), b.values()));
  ASSERT_EQ(a.states().size(), b.states().size());
  for (std::size_t i = 0; i < a.states().size(); ++i) EXPECT_TRUE(same_bits(a.state(i), b.state(i)));
}

void expect_same(const nn::Optimizer& a, const nn::Optimizer& b) {
  const auto sa = a.state(), sb = b.state();
  ASSERT_EQ(sa.size(), sb.size());
  for (const auto& [key, values] : sa) EXPECT_TRUE(same_bits(values, sb.at(key))) << key;
  EXPECT_EQ(a.iterations(), b.iterations());
}

const TrainingPosition kPosition{.epoch = 3,
                                 .step = 1234567,
                                 .seed = 0xfedcba9876543210ULL,
                                 .rng_state = {1, 2, 3, 0xffffffffffffffffULL},
                                 .notes = {{"ecal_sum_fit", R"({"source":"data","coefficients":[2.1]})"},
                                           {"energy_range_gev", "[10,500]"}}};

TEST(CheckpointTest, RoundTripIsBitExact) {
  ScratchDirectory dir;
  const std::string path = dir.file("ckpt.h5");
  nn::Context ctx(1);
  Trained a(ctx, "3dgan-16", 11);
  save_checkpoint(path, a.spec, a.parts(), kPosition);

  const ModelSpec spec = read_checkpoint_spec(path);
  EXPECT_EQ(model_spec_to_json(spec), model_spec_to_json(a.spec));
  Generator g(ctx, spec);
  Discriminator d(ctx, spec);
  nn::RMSprop opt_g(g.store()), opt_d(d.store());
  const TrainingPosition at = load_checkpoint(path, spec, {&g, &d, &opt_g, &opt_d});
  EXPECT_EQ(at, kPosition);
  EXPECT_EQ(read_checkpoint_notes(path), kPosition.notes);
  expect_same(g.store(), a.g.store());
  expect_same(d.store(), a.d.store());
  expect_same(opt_g, a.opt_g);
  expect_same(opt_d, a.opt_d);
  EXPECT_EQ(opt_g.iterations(), 2);

  // Saving what was loaded gives the same tensors again (and --overwrite semantics).
  save_checkpoint(path, spec, {&g, &d, &opt_g, &opt_d}, at, true);
  EXPECT_TRUE(contains(input_error_message([&] { save_checkpoint(path, spec, {&g}, at); }), "exists"));
}

TEST(CheckpointTest, H5pyAndThePyTorchReferenceReadIt) {
  ScratchDirectory dir;
  const std::string path = dir.file("ckpt.h5");
  nn::Context ctx(1);
  Trained a(ctx, "3dgan-16", 5);
  save_checkpoint(path, a.spec, a.parts(), kPosition);
  const std::string check =
      "import h5py, json, sys\n"
      "f = h5py.File(sys.argv[1], 'r')\n"
      "assert f.attrs['format'] == 'calo3dgan-checkpoint-1' and f.attrs['variant'] == '3dgan-16'\n"
      "assert json.loads(f['model_spec'][()])['name'] == '3dgan-16'\n"
      "assert f['generator/conv1/kernel'].shape == (64, 8, 6, 6, 8)\n"
      "assert f['generator/dense/kernel'].shape == (3136, 200)\n"
      "assert f['discriminator/bn4/moving_variance'].shape == (16,)\n"
      "assert f['optimizer/generator/conv1/kernel/rms'].shape == (64, 8, 6, 6, 8)\n"
      "assert f['optimizer/generator/iterations'][()] == 2 and f['optimizer/generator'].attrs['type'] == "
      "'RMSprop'\n"
      "assert f['training/step'][()] == 1234567 and list(f['training/rng_state']) == [1, 2, 3, 2**64 - 1]\n"
      "print(float(f['generator/conv2/kernel'][1, 2, 3, 4, 5]))\n";
  CommandResult r = run_command("/usr/bin/python3 -c \"" + check + "\" " + path);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& p = a.g.store().parameters()[*a.g.store().find("generator/conv2.weight")];
  const float expected = a.g.store().value(
      *a.g.store().find("generator/conv2.weight"))[(((1 * 64 + 2) * 6 + 3) * 5 + 4) * 8 + 5];
  EXPECT_EQ(p.shape, (std::vector<std::int64_t>{16, 64, 6, 5, 8}));
  EXPECT_EQ(std::stof(r.output), expected);

  if (!python_has("torch, h5py")) GTEST_SKIP() << "/usr/bin/python3 cannot import torch";
  // The reference's strict weight loader takes the checkpoint as it is (same names, shapes).
  const std::string load =
      "import sys; sys.path.insert(0, '" + std::string(CALO_TEST_SOURCE_DIR) +
      "/bench/reference')\n"
      "import model as M, weights as W\n"
      "nets = {'generator': M.Generator('3dgan-16'), 'discriminator': M.Discriminator('3dgan-16')}\n"
      "assert W.load_weights(sys.argv[1], nets) == '3dgan-16'\n"
      "print(float(nets['generator'].conv2.weight[1, 2, 3, 4, 5]))\n";
  r = run_command("/usr/bin/python3 -c \"" + load + "\" " + path);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(std::stof(r.output), expected);
}

TEST(CheckpointTest, RefusesTruncatedAndCorruptFiles) {
  ScratchDirectory dir;
  const std::string path = dir.file("ckpt.h5");
  nn::Context ctx(1);
  Trained a(ctx, "3dgan-v1", 1);
  save_checkpoint(path, a.spec, a.parts(), kPosition);
  fs::resize_file(path, fs::file_size(path) / 2);
  Trained b(ctx, "3dgan-v1", 2);
  const std::vector<float> before(b.g.store().values().begin(), b.g.store().values().end());
  std::string m = input_error_message([&] { load_checkpoint(path, b.spec, b.parts()); });
  EXPECT_TRUE(contains(m, "truncated")) << m;
  EXPECT_TRUE(same_bits(b.g.store().values(), before));
  m = input_error_message([&] { read_checkpoint_spec(path); });
  EXPECT_TRUE(contains(m, "truncated")) << m;
  fs::resize_file(path, 0);
  m = input_error_message([&] { load_checkpoint(path, b.spec, b.parts()); });
  EXPECT_TRUE(contains(m, "not an HDF5 file")) << m;
}

TEST(CheckpointTest, RefusesAMismatchedSpec) {
  ScratchDirectory dir;
  const std::string path = dir.file("ckpt.h5");
  nn::Context ctx(1);
  Trained a(ctx, "3dgan-16", 1);
  save_checkpoint(path, a.spec, a.parts(), kPosition);
  Trained b(ctx, "3dgan-v1", 2);
  const std::string m = input_error_message([&] { load_checkpoint(path, b.spec, b.parts()); });
  EXPECT_TRUE(
      contains(m, "was written for model spec '3dgan-16', which differs from the model's spec '3dgan-v1'"))
      << m;
}

/// Edits the checkpoint with h5py (python statements on the open file f).
void edit_with_h5py(const std::string& path, const std::string& statements) {
  const CommandResult r =
      run_command("/usr/bin/python3 -c \"import h5py, sys\nf = h5py.File(sys.argv[1], 'r+')\n" + statements +
                  "\" " + path);
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

TEST(CheckpointTest, RefusesAMissingOrMisshapenTensorAndLeavesTheModelAlone) {
  ScratchDirectory dir;
  const std::string path = dir.file("ckpt.h5");
  nn::Context ctx(1);
  Trained a(ctx, "3dgan-v1", 1);
  save_checkpoint(path, a.spec, a.parts(), kPosition);
  Trained b(ctx, "3dgan-v1", 2);
  const std::vector<float> before(b.d.store().values().begin(), b.d.store().values().end());

  const std::string missing = dir.file("missing.h5");
  fs::copy_file(path, missing);
  edit_with_h5py(missing, "del f['discriminator/bn3/moving_mean']");
  std::string m = input_error_message([&] { load_checkpoint(missing, b.spec, b.parts()); });
  EXPECT_TRUE(contains(m, "missing dataset /discriminator/bn3/moving_mean")) << m;
  EXPECT_TRUE(same_bits(b.d.store().values(), before));

  const std::string misshapen = dir.file("misshapen.h5");
  fs::copy_file(path, misshapen);
  edit_with_h5py(misshapen, "del f['generator/conv3/bias']\nf['generator/conv3/bias'] = [0.0] * 7");
  m = input_error_message([&] { load_checkpoint(misshapen, b.spec, b.parts()); });
  EXPECT_TRUE(contains(m, "/generator/conv3/bias has shape (7,), the model expects (6,)")) << m;

  const std::string extra = dir.file("extra.h5");
  fs::copy_file(path, extra);
  edit_with_h5py(extra, "f['generator/conv9/kernel'] = [0.0]");
  m = input_error_message([&] { load_checkpoint(extra, b.spec, b.parts()); });
  EXPECT_TRUE(contains(m, "unexpected tensor /generator/conv9/kernel")) << m;

  const std::string no_optimizer = dir.file("no_optimizer.h5");
  save_checkpoint(no_optimizer, a.spec, {&a.g, &a.d}, kPosition);
  m = input_error_message([&] { load_checkpoint(no_optimizer, b.spec, b.parts()); });
  EXPECT_TRUE(contains(m, "no optimiser state for the generator")) << m;
  // ...but the networks alone load from it.
  load_checkpoint(no_optimizer, b.spec, {&b.g, &b.d});
  expect_same(b.g.store(), a.g.store());
  EXPECT_TRUE(same_bits(b.d.store().values(), a.d.store().values()));
}

}  // namespace
}  // namespace calo::gan::test
