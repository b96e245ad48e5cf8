// The folded inference graph (infer/folded_generator.hh) against the training graph's plain
// forward (gan::Generator in Mode::infer, itself cross-checked against PyTorch in tests/gan).
#include "infer/folded_generator.hh"

#include <gtest/gtest.h>

#include "core/error.hh"
#include "gan/generator.hh"
#include "infer/loaded_model.hh"
#include "infer_test_support.hh"
#include "nn/cpu_features.hh"
#include "relative_error.hh"
#include "scratch_directory.hh"

namespace calo::infer {
namespace {

using test::relative_error;

std::vector<float> latent(std::int64_t n, std::int64_t size, std::uint64_t seed) {
  std::vector<float> z(static_cast<std::size_t>(n * size));
  Rng rng(seed, 1);
  for (float& x : z) x = static_cast<float>(2.5 * rng.normal());
  return z;
}

/// The plain forward of the checkpoint's generator, as training builds it.
std::vector<float> plain_forward(const std::string& path, const std::vector<float>& z, std::int64_t n) {
  const gan::ModelSpec spec = gan::read_checkpoint_spec(path);
  nn::Context ctx(2);
  gan::Generator gen(ctx, spec);
  gan::load_checkpoint(path, spec, {.generator = &gen});
  return gen.forward(nn::Tensor::from_host(ctx, gen.input_dims(n), z), nn::Mode::infer).to_host();
}

void expect_checkpoint_folded_equals_plain(const std::string& path, const std::string& model) {
  const LoadedModel m = load_generator(path);
  nn::Context ctx(2);
  FoldedGenerator folded(ctx, m);
  EXPECT_EQ(folded.folded_batchnorms(), 2);  // bn1 and bn2 gone: the test compares a changed graph
  for (std::int64_t n : {1, 3, 16, 64}) {
    const auto z = latent(n, folded.latent_size(), static_cast<std::uint64_t>(n));
    std::vector<float> got(static_cast<std::size_t>(n * folded.cells()));
    folded.run(z, n, got);
    auto want = plain_forward(path, z, n);
    // The trained generator's unit is GeV x cell_scale; the loaded one gives GeV (exact: only a
    // ReLU follows the last convolution).
    for (float& x : want) x = static_cast<float>(x / m.cell_scale);
    EXPECT_LE(relative_error(got, want), 1e-5) << model << " batch " << n;
    // Not a trivial pass: the showers have energy and the random BatchNorms negative scales.
    double sum = 0;
    for (float x : want) sum += x;
    EXPECT_GT(sum, 0) << model << " batch " << n;
  }
}

void expect_folded_equals_plain(const std::string& model, bool keras_batchnorm) {
  test::ScratchDirectory dir;
  const std::string path = dir.file("g.h5");
  test::write_test_checkpoint(path, model, 11, keras_batchnorm);
  expect_checkpoint_folded_equals_plain(path, model);
}

TEST(FoldedGeneratorTest, EqualsPlainForwardWithRandomBatchNormsOfBothSigns) {
  expect_folded_equals_plain("3dgan-16", /*keras_batchnorm=*/false);
}

TEST(FoldedGeneratorTest, EqualsPlainForwardWithKerasInitialisedBatchNorms) {
  expect_folded_equals_plain("3dgan-16", /*keras_batchnorm=*/true);
}

TEST(FoldedGeneratorTest, EqualsPlainForwardForTheOriginalVariant) {
  expect_folded_equals_plain("3dgan-v1", /*keras_batchnorm=*/false);
}

TEST(FoldedGeneratorTest, EqualsPlainForwardWithTrainedWeights) {  // the shipped model (cell scale 100)
  expect_checkpoint_folded_equals_plain(std::string(CALO_TEST_SOURCE_DIR) + "/data/models/3dgan-16.h5",
                                        "3dgan-16");
}

TEST(FoldedGeneratorTest, UnfoldedGraphKeepsItsBatchNorms) {
  test::ScratchDirectory dir;
  test::write_test_checkpoint(dir.file("g.h5"), "3dgan-16", 3);
  const LoadedModel m = load_generator(dir.file("g.h5"));
  nn::Context ctx(1);
  FoldedGenerator plain(ctx, m, /*fold=*/false), folded(ctx, m);
  EXPECT_EQ(plain.folded_batchnorms(), 0);
  const auto z = latent(2, m.spec.latent_size, 5);
  std::vector<float> a(static_cast<std::size_t>(2 * plain.cells())), b(a.size());
  plain.run(z, 2, a);
  folded.run(z, 2, b);
  EXPECT_LE(relative_error(b, a), 1e-5);
}

TEST(FoldedGeneratorTest, RepeatedCallsGiveTheSameShowers) {
  // Plans and input buffers are reused across calls and batch sizes: nothing stale leaks.
  test::ScratchDirectory dir;
  test::write_test_checkpoint(dir.file("g.h5"), "3dgan-16", 4);
  const LoadedModel m = load_generator(dir.file("g.h5"));
  nn::Context ctx(2);
  FoldedGenerator g(ctx, m);
  const auto z4 = latent(4, m.spec.latent_size, 9), z2 = latent(2, m.spec.latent_size, 10);
  std::vector<float> first(static_cast<std::size_t>(4 * g.cells())), again(first.size()),
      other(static_cast<std::size_t>(2 * g.cells()));
  g.run(z4, 4, first);
  g.run(z2, 2, other);
  g.run(z4, 4, again);
  EXPECT_EQ(first, again);
}

TEST(FoldedGeneratorTest, WrongInputSizesAreInputErrors) {
  test::ScratchDirectory dir;
  test::write_test_checkpoint(dir.file("g.h5"), "3dgan-16", 4);
  const LoadedModel m = load_generator(dir.file("g.h5"));
  nn::Context ctx(1);
  FoldedGenerator g(ctx, m);
  std::vector<float> z(199), out(static_cast<std::size_t>(g.cells()));
  EXPECT_THROW(g.run(z, 1, out), InputError);
}

/// Largest relative error of the bf16 graph against the f32 one over batches 1 and 16.
double bf16_error(bool keras_batchnorm) {
  test::ScratchDirectory dir;
  test::write_test_checkpoint(dir.file("g.h5"), "3dgan-16", 6, keras_batchnorm);
  const LoadedModel m = load_generator(dir.file("g.h5"));
  nn::Context ctx(2);
  FoldedGenerator f32(ctx, m), bf16(ctx, m, true, Precision::bf16);
  double worst = 0;
  for (std::int64_t n : {1, 16}) {
    const auto z = latent(n, m.spec.latent_size, 7);
    std::vector<float> a(static_cast<std::size_t>(n * f32.cells())), b(a.size());
    f32.run(z, n, a);
    bf16.run(z, n, b);
    worst = std::max(worst, relative_error(b, a));
  }
  return worst;
}

TEST(FoldedGeneratorTest, Bf16GraphStaysWithinBf16RoundingOfF32) {
  if (!nn::bf16_convolutions_supported()) GTEST_SKIP() << "this CPU lacks AVX-512 BF16";
  // bf16 keeps 8 significant bits (2^-9 relative rounding of every input and weight), summed
  // in f32 over hundreds of products per output. With Keras' BatchNorm state that stays near
  // the rounding; random BatchNorms (scales up to 4.5 with cancelling shifts) amplify it. A
  // wrong kernel or layout would be off by the output's own size. Not zero: bf16 did run.
  const double keras = bf16_error(true), random = bf16_error(false);
  EXPECT_LT(keras, 2e-2);
  EXPECT_LT(random, 1e-1);
  EXPECT_GT(keras, 1e-5);
}

}  // namespace
}  // namespace calo::infer
