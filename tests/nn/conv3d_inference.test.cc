// Inference-only Conv3D paths against oneDNN's direct convolution (the Mode::train forward):
// the single-output plan (conv/conv3d_single_output.hh) on the layouts oneDNN hands it, the
// channel shift post-op, and bf16 convolutions.
#include <gtest/gtest.h>

#include "nn/conv3d.hh"
#include "nn/cpu_features.hh"
#include "nn/parameter_store.hh"
#include "nn/sequential.hh"
#include "relative_error.hh"

namespace calo::nn {
namespace {

using test::relative_error;

std::vector<float> random_values(std::size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

/// A 16-channel tensor in the layout a preceding convolution gives it (bf16: channels-last).
Tensor blocked_input(Context& ctx, std::int64_t n, bool bf16, Rng& rng, ParameterStore& store,
                     Sequential& pre) {
  pre.emplace<Conv3D>("pre",
                      Conv3DSpec{.filters = 16, .kernel = {2, 2, 2}, .padding = Padding::same, .bf16 = bf16});
  pre.declare({.n = n, .c = 3, .d = 9, .h = 8, .w = 7}, store);
  store.finalize();
  const auto w = random_values(store.size(), rng);
  std::copy(w.begin(), w.end(), store.values().begin());
  const Tensor x = Tensor::from_host(ctx, {.n = n, .c = 3, .d = 9, .h = 8, .w = 7},
                                     random_values(static_cast<std::size_t>(n * 3 * 9 * 8 * 7), rng));
  return pre.forward(x, Mode::infer);
}

void expect_single_output_equals_direct(bool bf16_input, Activation act, std::int64_t n) {
  Context ctx(2);
  Rng rng(17, static_cast<std::uint64_t>(n));
  ParameterStore pre_store, store;
  Sequential pre(ctx, "p");
  const Tensor in = blocked_input(ctx, n, bf16_input, rng, pre_store, pre);
  ASSERT_FALSE(in.plain());  // the case the plan is for
  Conv3D conv(ctx, "one", Conv3DSpec{.filters = 1, .kernel = {2, 3, 2}, .activation = act, .alpha = 0.3f});
  conv.declare(in.dims(), store);
  store.finalize();
  const auto w = random_values(store.size(), rng);
  std::copy(w.begin(), w.end(), store.values().begin());
  const auto direct = conv.forward(in, Mode::train).to_host();  // oneDNN's direct convolution
  const auto mine = conv.forward(in, Mode::infer).to_host();
  EXPECT_LE(relative_error(mine, direct), 1e-5) << "n " << n;
  double sum = 0;
  for (float x : direct) sum += std::abs(x);
  EXPECT_GT(sum, 0);
}

TEST(Conv3DInferenceTest, SingleOutputPlanEqualsDirectOnBlockedInput) {
  for (std::int64_t n : {1, 5}) expect_single_output_equals_direct(false, Activation::leaky_relu, n);
  expect_single_output_equals_direct(false, Activation::relu, 2);
  expect_single_output_equals_direct(false, Activation::none, 2);
}

TEST(Conv3DInferenceTest, SingleOutputPlanEqualsDirectOnChannelsLastInput) {
  if (!bf16_convolutions_supported()) GTEST_SKIP() << "no AVX-512 BF16: no channels-last producer here";
  for (std::int64_t n : {1, 4}) expect_single_output_equals_direct(true, Activation::relu, n);
}

}  // namespace
}  // namespace calo::nn
