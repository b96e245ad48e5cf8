// Conv3D's thin-input plan (src/nn/conv/conv3d_thin_input.hh: the data gradient through a
// convolution with the H, W kernel taps folded into channels) against oneDNN's direct
// convolution (ConvAlgorithms::thin off): forward output, input gradient, weight and bias
// gradients on the discriminator's first convolution and on odd shapes; finite differences;
// the automatic choice and the options.
#include "nn/conv/conv3d_thin_input.hh"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "conv_paths.hh"
#include "grad_check.hh"

namespace calo::nn::test {
namespace {

/// Two threads (the unfolding of the data gradient runs in parallel), the thin-input plan as
/// `thin` says; the FFT plan off: these tests compare the thin-input plan with oneDNN's
/// direct one.
ContextOptions options(AlgorithmSwitch thin) {
  return {.threads = 2, .conv = {.thin = thin, .fft = AlgorithmSwitch::off}};
}

/// One train step with the thin-input plan as `thin` says.
StepResult train_step(const Conv3DSpec& spec, const Dims& in, AlgorithmSwitch thin,
                      std::int64_t pre_filters = 0) {
  Context c(options(thin));
  return test::train_step(c, spec, in, thin_input_selected, pre_filters);
}

struct ThinCase {
  const char* label;
  Dims in;
  Conv3DSpec spec;
  std::int64_t pre_filters = 0;
};

class ThinInputMatchesDirect : public testing::TestWithParam<ThinCase> {};

TEST_P(ThinInputMatchesDirect, OutputInputGradientWeightAndBiasGradients) {
  const ThinCase& c = GetParam();
  const StepResult direct = train_step(c.spec, c.in, AlgorithmSwitch::off, c.pre_filters);
  const StepResult thin = train_step(c.spec, c.in, AlgorithmSwitch::on, c.pre_filters);
  EXPECT_FALSE(direct.selected) << c.label;
  EXPECT_TRUE(thin.selected) << c.label << ": the thin-input plan was not used";
  EXPECT_LT(relative_error(thin.y, direct.y), 1e-5) << c.label << " (forward)";
  EXPECT_LT(relative_error(thin.dx, direct.dx), 1e-5) << c.label << " (input gradient)";
  EXPECT_LT(relative_error(thin.grads, direct.grads), 1e-5) << c.label << " (weight/bias gradients)";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ThinInputMatchesDirect,
    testing::Values(
        // Batch 3: 2 MB of folded gradient per sample, so one sample per folded call.
        ThinCase{"D conv1: 1 -> 32, 5^3 same, LeakyReLU, 25^3",
                 {3, 1, 25, 25, 25},
                 conv(32, {5, 5, 5}, Padding::same, Activation::leaky_relu)},
        ThinCase{"IC 3, 5^3 valid, no activation", {2, 3, 9, 8, 7}, conv(5, {5, 5, 5})},
        ThinCase{"IC 1, 3x4x2 same (back pad 2/1), LeakyReLU",
                 {3, 1, 6, 7, 9},
                 conv(4, {3, 4, 2}, Padding::same, Activation::leaky_relu)},
        ThinCase{"IC 3, 3x4x2 valid, ReLU",
                 {2, 3, 5, 6, 7},
                 conv(17, {3, 4, 2}, Padding::valid, Activation::relu)},
        ThinCase{"IC 2, 5^3 same + extra pad front (1,0,3) back (0,2,1), no bias",
                 {1, 2, 6, 5, 4},
                 [] {
                   Conv3DSpec s = conv(3, {5, 5, 5}, Padding::same, Activation::leaky_relu);
                   s.extra_front = {1, 0, 3};
                   s.extra_back = {0, 2, 1};
                   s.use_bias = false;
                   return s;
                 }()},
        ThinCase{"IC 3 from a 1x1x1 conv (blocked input layout), 3x3x3 same",
                 {2, 3, 7, 6, 5},
                 conv(16, {3, 3, 3}, Padding::same),
                 4},
        ThinCase{"IC 4, kernel 2x1x1 (KH*KW < 2: forced only)", {2, 4, 6, 5, 4}, conv(8, {2, 1, 1})}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(ThinInput, FiniteDifferences) {
  struct Case {
    Dims in;
    Conv3DSpec spec;
    AlgorithmSwitch thin;
  } cases[] = {
      {{2, 1, 9, 8, 7},
       conv(6, {5, 5, 5}, Padding::same, Activation::leaky_relu),
       AlgorithmSwitch::automatic},
      {{2, 3, 5, 6, 7}, conv(4, {3, 4, 2}, Padding::valid), AlgorithmSwitch::on},
  };
  for (const auto& c : cases) {
    Context ctx(options(c.thin));
    ParameterStore store;
    Conv3D layer(ctx, "t.conv", c.spec);
    setup(layer, store, c.in);
    EXPECT_TRUE(thin_input_selected(layer, Tensor::zeros(ctx, c.in), Mode::train));
    check_gradients(layer, store, c.in);
  }
}

TEST(ThinInput, AutomaticChoiceAndOptions) {
  const Conv3DSpec d1 = conv(32, {5, 5, 5}, Padding::same, Activation::leaky_relu);
  EXPECT_TRUE(thin_input_pays(d1, {8, 1, 25, 25, 25}));
  EXPECT_TRUE(thin_input_pays(d1, {8, 4, 25, 25, 25}));
  EXPECT_FALSE(thin_input_pays(d1, {8, 16, 25, 25, 25}));                 // oneDNN's direct kernels are fast
  EXPECT_FALSE(thin_input_pays(conv(8, {3, 1, 1}), {8, 1, 25, 25, 25}));  // nothing to fold

  const Dims in{1, 1, 25, 25, 25};
  Context automatic(options(AlgorithmSwitch::automatic)), off(options(AlgorithmSwitch::off));
  ParameterStore store;
  Conv3D layer(automatic, "t.conv", d1), layer_off(off, "t.conv_off", d1);
  layer.declare(in, store);
  layer_off.declare(in, store);
  store.finalize();
  const Tensor x = Tensor::zeros(automatic, in);
  EXPECT_TRUE(thin_input_selected(layer, x, Mode::train));
  EXPECT_FALSE(thin_input_selected(layer, x, Mode::infer));  // same forward either way
  EXPECT_FALSE(thin_input_selected(layer_off, x, Mode::train));
}

TEST(ThinInput, FrozenAndFirstLayerBackward) {
  // Weight gradients off (the frozen discriminator of a generator update): only diff_in;
  // need_diff_in off (first layer of a discriminator update): only the weight gradients.
  const Conv3DSpec spec = conv(8, {5, 5, 5}, Padding::same, Activation::leaky_relu);
  const Dims in{2, 1, 7, 6, 5};
  Context ctx(options(AlgorithmSwitch::on));
  check_frozen_and_first_layer_backward(ctx, spec, in);
}

}  // namespace
}  // namespace calo::nn::test
