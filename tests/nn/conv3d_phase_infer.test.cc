// The inference plan of Conv3D with a folded UpSampling3D on nn's own AVX-512 kernels
// (src/nn/conv/conv3d_phase_infer.cc) against the same layers run one by one (UpSampling3D,
// ZeroPad3D, then oneDNN's direct convolution): f32 to float rounding, bf16 against oneDNN's
// bf16 polyphase convolutions (the same bf16 roundings of inputs and folded weights, so
// float rounding again) and within bf16's precision of f32; bit-identical for 1 and 2
// threads; selected only where it applies.
#include "nn/conv/conv3d_phase_infer.hh"

#include <gtest/gtest.h>

#include <algorithm>

#include "grad_check.hh"
#include "nn/conv/phase_conv_kernel.hh"
#include "nn/cpu_features.hh"
#include "relative_error.hh"

namespace calo::nn::test {
namespace {

using calo::test::relative_error;

struct PhaseCase {
  const char* label;
  Dims in;  // batch included
  UpSampling3DSpec up;
  ZeroPad3DSpec pad;
  Conv3DSpec conv;
  bool blocked_input = false;  // the input from a 1x1x1 convolution (oneDNN's layout) instead of plain
};

ContextOptions options(int threads, AlgorithmSwitch phase) {
  ContextOptions o;
  o.threads = threads;
  o.conv.phase = phase;
  return o;
}

/// [pre 1x1x1 conv,] up-sampling, padding, conv on ctx; parameters from seed; returns the
/// infer-mode output for the input values xs (dims c.in before any pre conv).
struct Net {
  Net(Context& ctx, const PhaseCase& c, bool fold, bool bf16, const Int8Quantisation* int8 = nullptr)
      : net(ctx, "t") {
    if (c.blocked_input)
      net.emplace<Conv3D>("t.pre", Conv3DSpec{.filters = c.in.c, .kernel = {1, 1, 1}, .use_bias = false});
    net.emplace<UpSampling3D>("t.up", c.up);
    net.emplace<ZeroPad3D>("t.pad", c.pad);
    Conv3DSpec spec = c.conv;
    spec.bf16 = bf16;
    if (int8) {
      spec.int8 = true;
      spec.int8_input = *int8;
    }
    net.emplace<Conv3D>("t.conv", spec);
    net.set_folding(fold);
    setup(net, store, c.in, 5);
  }
  std::vector<float> run(const PhaseCase& c, const std::vector<float>& xs) {
    return net.forward(Tensor::from_host(net.context(), c.in, xs), Mode::infer).to_host();
  }
  Conv3D& conv() { return dynamic_cast<Conv3D&>(net.layer(net.size() - 1)); }
  ParameterStore store;
  Sequential net;
};

class PhaseInfer : public testing::TestWithParam<PhaseCase> {};

// float32 sums of up to ~3k products in another order: ~1e-6 of the tensor's scale.
constexpr double kTolerance = 1e-5;

TEST_P(PhaseInfer, EqualsTheLayersRunOneByOne) {
  const PhaseCase& c = GetParam();
  if (!phase_kernel::supported(phase_kernel::Arithmetic::f32))
    GTEST_SKIP() << "no AVX-512F: the plan is not used here";
  Context one(options(1, AlgorithmSwitch::automatic)), two(options(2, AlgorithmSwitch::automatic));
  Net want_net(one, c, /*fold=*/false, false), got1(one, c, true, false), got2(two, c, true, false);
  const auto xs = normal_values(c.in.elements(), 1);
  const auto want = want_net.run(c, xs);
  const auto y1 = got1.run(c, xs), y2 = got2.run(c, xs);
  EXPECT_LE(relative_error(y1, want), kTolerance) << c.label;
  EXPECT_EQ(y1, y2) << c.label << ": 1 and 2 threads";
  double sum = 0;
  for (float v : want) sum += std::abs(v);
  EXPECT_GT(sum, 0) << c.label;
  // The plan under test ran: the conv's input is the pre convolution's output or the input.
  const Tensor x = Tensor::from_host(one, c.in, xs);
  const Tensor conv_in = c.blocked_input ? got1.net.layer(0).forward(x, Mode::infer) : x;
  EXPECT_TRUE(phase_infer_selected(got1.conv(), conv_in, Mode::infer)) << c.label;
}

TEST_P(PhaseInfer, Bf16EqualsOneDnnBf16AndF32WithinBf16Precision) {
  const PhaseCase& c = GetParam();
  if (!phase_kernel::supported(phase_kernel::Arithmetic::bf16) || !bf16_convolutions_supported())
    GTEST_SKIP() << "no AVX-512 BF16 here";
  Context own(options(2, AlgorithmSwitch::automatic)), onednn(options(2, AlgorithmSwitch::off));
  Net mine(own, c, true, true), theirs(onednn, c, true, true), f32(onednn, c, false, false);
  const auto xs = normal_values(c.in.elements(), 2);
  const auto got = mine.run(c, xs);
  // Both round inputs and folded phase weights to bf16 (nearest even) and accumulate in f32.
  EXPECT_LE(relative_error(got, theirs.run(c, xs)), kTolerance) << c.label;
  // bf16 keeps 8 significant bits (relative rounding <= 2^-9 per factor); over sums of
  // hundreds of random-signed products the error stays well under 1 % of the largest output.
  EXPECT_LE(relative_error(got, f32.run(c, xs)), 0.01) << c.label;
}

/// The input's own range in 255 steps, as a calibration on it would give.
Int8Quantisation quantisation_of(const std::vector<float>& xs) {
  const auto [lo, hi] = std::ranges::minmax(xs);
  const float scale = (std::max(hi, 0.f) - std::min(lo, 0.f)) / 255.f;
  return {.scale = scale, .zero_point = static_cast<int>(std::lround(-std::min(lo, 0.f) / scale))};
}

TEST_P(PhaseInfer, Int8StaysWithinItsQuantisationNoiseOfF32) {
  const PhaseCase& c = GetParam();
  if (!phase_kernel::supported(phase_kernel::Arithmetic::int8)) GTEST_SKIP() << "no AVX-512 VNNI here";
  Context ctx(options(2, AlgorithmSwitch::automatic)), one(options(1, AlgorithmSwitch::automatic));
  const auto xs = normal_values(c.in.elements(), 4);
  // The pre convolution's output is what the layer quantises: calibrate on it.
  Net f32(ctx, c, true, false);
  const Tensor x = Tensor::from_host(ctx, c.in, xs);
  const auto conv_in = c.blocked_input ? f32.net.layer(0).forward(x, Mode::infer).to_host() : xs;
  const Int8Quantisation q = quantisation_of(conv_in), per_sample{};
  Net int8(ctx, c, true, false, &q), int8_one(one, c, true, false, &q);
  Net dynamic(ctx, c, true, false, &per_sample);
  const auto got = int8.run(c, xs);
  EXPECT_EQ(got, int8_one.run(c, xs)) << c.label << ": 1 and 2 threads (exact integer sums)";
  // Rounding noise: inputs to steps of range / 255 (a normal sample of 1e4-1e5 values spans
  // ~9 rms, so the uniform rounding error's rms, step / sqrt 12, is ~1.0 % of the input's rms),
  // weights to steps of max|w| / 127 per channel (~0.4 % of a uniform weight's rms). Both add
  // up over a sum as the signal does: each output is off by ~1.1 % of the outputs' rms, the
  // largest error of the tensor by ~4-5 times that, about as many rms as the largest output
  // is: max error / max output ~1 % (measured 1.1-1.7 % on these shapes). A wrong index,
  // scale or zero point gives errors of order 100 % (and the exact test below pins them).
  const auto want = f32.run(c, xs);
  const double err = relative_error(got, want);
  EXPECT_LE(err, 0.025) << c.label;
  EXPECT_LE(relative_error(dynamic.run(c, xs), want), 0.025) << c.label << ": each sample's own range";
  EXPECT_GT(err, 0) << c.label << ": int8 ran (bit-equal to f32 only by accident)";
}

TEST(PhaseInferSelection, OnlyWhereItApplies) {
  if (!phase_kernel::supported(phase_kernel::Arithmetic::f32)) GTEST_SKIP() << "no AVX-512F";
  const Dims in{2, 16, 3, 3, 3};
  const auto selected = [&](Conv3DSpec spec, AlgorithmSwitch sw, Mode mode, Dims dims) {
    Context ctx(options(1, sw));
    ParameterStore store;
    Conv3D conv(ctx, "c", spec);
    conv.declare(dims, store);
    store.finalize();
    return phase_infer_selected(conv, Tensor::zeros(ctx, dims), mode);
  };
  const Conv3DSpec up{.filters = 16, .kernel = {2, 2, 2}, .upsample = {2, 2, 2}};
  EXPECT_TRUE(selected(up, AlgorithmSwitch::automatic, Mode::infer, in));
  EXPECT_FALSE(selected(up, AlgorithmSwitch::off, Mode::infer, in)) << "switched off";
  EXPECT_FALSE(selected(up, AlgorithmSwitch::automatic, Mode::train, in)) << "training";
  Conv3DSpec six = up;
  six.filters = 6;
  EXPECT_FALSE(selected(six, AlgorithmSwitch::automatic, Mode::infer, in)) << "6 filters";
  EXPECT_FALSE(selected(up, AlgorithmSwitch::automatic, Mode::infer, {2, 8, 3, 3, 3})) << "8 input channels";
  Conv3DSpec plain = up;
  plain.upsample = {1, 1, 1};
  EXPECT_FALSE(selected(plain, AlgorithmSwitch::automatic, Mode::infer, in)) << "no up-sampling";
}

Conv3DSpec conv(std::int64_t filters, std::array<std::int64_t, 3> k, Activation act = Activation::leaky_relu,
                Padding p = Padding::valid, bool bias = true, bool shift = false) {
  return {.filters = filters,
          .kernel = k,
          .padding = p,
          .use_bias = bias,
          .activation = act,
          .channel_shift = shift};
}

TEST(PhaseInferInt8, ExactWhereTheQuantisationIsExact) {
  if (!phase_kernel::supported(phase_kernel::Arithmetic::int8)) GTEST_SKIP() << "no AVX-512 VNNI here";
  // Up-sampling only along D with a 1-tap D kernel: every phase kernel is the layer's kernel
  // (no taps summed). Integer weights in [-127, 127] with 127 in every output channel (weight
  // step 1); sample 0 integers in [-100, 155], both ends present, sample 1 twice such
  // integers: a fixed step 1 with zero point 100 is exact for sample 0, and each sample's own
  // range (dynamic) gives steps 1 and 2 with zero point 100, exact for both. Integer bias and
  // shift, ReLU: int8 and f32 compute the same integers exactly (|sums| < 2^24), including the
  // padding (the zero point is input 0) and the two filter blocks.
  const PhaseCase c{"exact",
                    {2, 16, 3, 4, 5},
                    {{2, 1, 1}},
                    ZeroPad3DSpec{{0, 1, 2}, {0, 1, 1}},
                    conv(32, {1, 3, 3}, Activation::relu, Padding::valid, true, true)};
  Context ctx(options(2, AlgorithmSwitch::automatic));
  const Int8Quantisation fixed{.scale = 1, .zero_point = 100}, dynamic{};
  Net f32(ctx, c, false, false), int8(ctx, c, true, false, &fixed), per_sample(ctx, c, true, false, &dynamic);
  const auto integer = [](Rng& r, int lo, int hi) {  // uniform in [lo, hi]
    return static_cast<float>(lo + static_cast<int>(r.uniform() * (hi - lo + 1)));
  };
  for (Net* n : {&f32, &int8, &per_sample}) {
    Rng r(9, 0);
    const auto w = n->conv().weight();
    const std::size_t per = w.size() / 32;
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = i % per == 0 ? 127.f : integer(r, -127, 127);
    for (float& b : n->conv().bias()) b = integer(r, -1000, 1000);
    for (float& v : n->conv().shift()) v = integer(r, -10, 10);
  }
  Rng r(10, 0);
  const std::size_t half = static_cast<std::size_t>(c.in.elements() / 2);
  std::vector<float> xs(2 * half);
  for (std::size_t i = 0; i < half; ++i) {
    xs[i] = i == 0 ? -100.f : i == 1 ? 155.f : integer(r, -100, 155);
    xs[half + i] = 2 * (i == 0 ? 155.f : i == 1 ? -100.f : integer(r, -100, 155));
  }
  const auto want = f32.run(c, xs);
  EXPECT_EQ(per_sample.run(c, xs), want) << "each sample's own range";
  const auto got = int8.run(c, xs);
  EXPECT_TRUE(
      std::equal(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(got.size() / 2), want.begin()))
      << "a fixed range, sample 0";
}

INSTANTIATE_TEST_SUITE_P(Shapes, PhaseInfer,
                         testing::Values(
                             // 3dgan-16 generator conv2 and conv3 (DESIGN.md section 7) with a folded
                             // BatchNorm's shift, from a blocked input as in the generator; batch 3 and 1.
                             PhaseCase{
                                 "gen conv2",
                                 {3, 64, 7, 7, 8},
                                 {{2, 2, 2}},
                                 ZeroPad3DSpec::symmetric(2, 2, 0),
                                 conv(16, {6, 5, 8}, Activation::leaky_relu, Padding::valid, true, true),
                                 true},
                             PhaseCase{"gen conv3",
                                       {1, 16, 13, 14, 9},
                                       {{2, 2, 3}},
                                       ZeroPad3DSpec::symmetric(1, 0, 3),
                                       conv(16, {3, 3, 8}),
                                       true},
                             // Odd: 32 -> 32 channels (two output blocks), rows wider than one kernel (column
                             // chunks), factor 3 and 1, asymmetric padding, ReLU, no bias, plain input.
                             PhaseCase{"wide two blocks",
                                       {2, 32, 3, 2, 14},
                                       {{1, 3, 3}},
                                       ZeroPad3DSpec{{0, 1, 2}, {2, 0, 1}},
                                       conv(32, {2, 3, 4}, Activation::relu, Padding::valid, false)},
                             PhaseCase{"same linear",
                                       {2, 16, 4, 3, 5},
                                       {{2, 2, 2}},
                                       ZeroPad3DSpec{},
                                       conv(16, {3, 1, 5}, Activation::none, Padding::same)}),
                         [](const auto& info) {
                           std::string s = info.param.label;
                           std::ranges::replace(s, ' ', '_');
                           return s;
                         });

}  // namespace
}  // namespace calo::nn::test
