// The fused inference pass of an up-sampling Conv3D followed by a single-output Conv3D
// (src/nn/conv/conv3d_fused_pair.cc, the generator's conv3 -> conv4) against the same layers
// run apart: bit-identical to the phase-kernel and single-output plans one after the other
// (every output summed by the same kernels in the same order), within float rounding of the
// layers run one by one on oneDNN, for any thread count and batch (a batch of 1 on 2 threads
// splits a sample's planes); new weights are picked up; used only where it applies.
#include "nn/conv/conv3d_fused_pair.hh"

#include <gtest/gtest.h>

#include <algorithm>

#include "grad_check.hh"
#include "nn/conv/phase_conv_kernel.hh"
#include "nn/cpu_features.hh"
#include "relative_error.hh"

namespace calo::nn::test {
namespace {

using calo::test::relative_error;

struct PairCase {
  const char* label;
  Dims in;  // batch included
  UpSampling3DSpec up;
  ZeroPad3DSpec pad;
  Conv3DSpec first, second;
};

ContextOptions options(int threads, AlgorithmSwitch fuse) {
  ContextOptions o;
  o.threads = threads;
  o.conv.fuse = fuse;
  return o;
}

/// pre 1x1x1 conv (oneDNN's blocked layout, as in the generator), up-sampling, padding, the
/// pair; parameters from a fixed seed, so every Net of a case has the same ones.
struct Net {
  Net(Context& ctx, const PairCase& c, bool fold, bool bf16) : net(ctx, "t") {
    net.emplace<Conv3D>("t.pre", Conv3DSpec{.filters = c.in.c, .kernel = {1, 1, 1}, .use_bias = false});
    net.emplace<UpSampling3D>("t.up", c.up);
    net.emplace<ZeroPad3D>("t.pad", c.pad);
    Conv3DSpec a = c.first, b = c.second;
    a.bf16 = b.bf16 = bf16;
    net.emplace<Conv3D>("t.a", a);
    net.emplace<Conv3D>("t.b", b);
    net.set_folding(fold);
    setup(net, store, c.in, 5);
  }
  std::vector<float> run(const PairCase& c, const std::vector<float>& xs) {
    return net.forward(Tensor::from_host(net.context(), c.in, xs), Mode::infer).to_host();
  }
  Conv3D& layer(std::size_t from_end) { return dynamic_cast<Conv3D&>(net.layer(net.size() - 1 - from_end)); }
  ParameterStore store;
  Sequential net;
};

Conv3DSpec conv(std::int64_t filters, std::array<std::int64_t, 3> k, Activation act, bool bias, bool shift,
                std::array<std::int64_t, 3> up = {1, 1, 1}) {
  return {.filters = filters,
          .kernel = k,
          .use_bias = bias,
          .activation = act,
          .upsample = up,
          .channel_shift = shift};
}

class FusedPair : public testing::TestWithParam<PairCase> {};

TEST_P(FusedPair, EqualsTheTwoPlansApartForAnyThreadsAndBatch) {
  const PairCase& c = GetParam();
  if (!phase_kernel::supported(phase_kernel::Arithmetic::f32))
    GTEST_SKIP() << "no AVX-512F: the fused plan is not used here";
  Context apart(options(2, AlgorithmSwitch::off)), one(options(1, AlgorithmSwitch::automatic)),
      two(options(2, AlgorithmSwitch::automatic));
  Net want_net(apart, c, true, false), one_by_one(apart, c, /*fold=*/false, false);
  Net fused1(one, c, true, false), fused2(two, c, true, false);
  const auto xs = normal_values(c.in.elements(), 1);
  const auto want = want_net.run(c, xs);
  EXPECT_EQ(fused1.run(c, xs), want) << c.label << ": 1 thread";
  EXPECT_EQ(fused2.run(c, xs), want) << c.label << ": 2 threads";
  // float32 sums in another order than oneDNN's: ~1e-6 of the tensor's scale.
  EXPECT_LE(relative_error(want, one_by_one.run(c, xs)), 1e-5) << c.label;
  double sum = 0;
  for (float v : want) sum += std::abs(v);
  EXPECT_GT(sum, 0) << c.label;

  // One sample on 2 threads: its output planes split between them.
  Dims single = c.in;
  single.n = 1;
  const std::vector<float> x1(xs.begin(), xs.begin() + single.elements());
  const auto y1 = fused2.net.forward(Tensor::from_host(two, single, x1), Mode::infer).to_host();
  const std::vector<float> want1(want.begin(), want.begin() + static_cast<std::ptrdiff_t>(y1.size()));
  EXPECT_EQ(y1, want1) << c.label << ": batch 1";
}

TEST_P(FusedPair, Bf16EqualsTheTwoPlansApart) {
  const PairCase& c = GetParam();
  if (!phase_kernel::supported(phase_kernel::Arithmetic::bf16) || !bf16_convolutions_supported())
    GTEST_SKIP() << "no AVX-512 BF16";
  Context apart(options(2, AlgorithmSwitch::off)), fused(options(2, AlgorithmSwitch::automatic));
  Net want(apart, c, true, true), got(fused, c, true, true), f32(apart, c, true, false);
  const auto xs = normal_values(c.in.elements(), 2);
  const auto y = got.run(c, xs);
  EXPECT_EQ(y, want.run(c, xs)) << c.label;
  EXPECT_LE(relative_error(y, f32.run(c, xs)), 0.01) << c.label << ": bf16's precision (as tests/nn phase)";
}

TEST_P(FusedPair, NewWeightsArePickedUp) {
  const PairCase& c = GetParam();
  if (!phase_kernel::supported(phase_kernel::Arithmetic::f32)) GTEST_SKIP() << "no AVX-512F";
  Context apart(options(2, AlgorithmSwitch::off)), fused(options(2, AlgorithmSwitch::automatic));
  Net want(apart, c, true, false), got(fused, c, true, false);
  const auto xs = normal_values(c.in.elements(), 3);
  got.run(c, xs);
  // A training step between two validation passes: both layers' weights change.
  for (Net* n : {&want, &got})
    for (std::size_t k : {0, 1})
      for (float& w : n->layer(k).weight()) w *= -0.5f;
  EXPECT_EQ(got.run(c, xs), want.run(c, xs)) << c.label;
}

TEST(FusedPairSelection, OnlyWhereItApplies) {
  if (!phase_kernel::supported(phase_kernel::Arithmetic::f32)) GTEST_SKIP() << "no AVX-512F";
  const Dims in{2, 16, 3, 3, 3};
  const auto fused = [&](Conv3DSpec a, Conv3DSpec b, AlgorithmSwitch sw, Mode mode) {
    Context ctx(options(1, sw));
    ParameterStore store;
    Conv3D first(ctx, "a", a), second(ctx, "b", b);
    second.declare(first.declare(in, store), store);
    store.finalize();
    return first.forward_through(second, Tensor::zeros(ctx, in), mode) != nullptr;
  };
  const Conv3DSpec up = conv(16, {2, 2, 2}, Activation::leaky_relu, true, false, {2, 2, 2});
  const Conv3DSpec one = conv(1, {2, 2, 2}, Activation::relu, false, false);
  EXPECT_TRUE(fused(up, one, AlgorithmSwitch::automatic, Mode::infer));
  EXPECT_FALSE(fused(up, one, AlgorithmSwitch::off, Mode::infer)) << "switched off";
  EXPECT_FALSE(fused(up, one, AlgorithmSwitch::automatic, Mode::train)) << "training keeps the intermediate";
  Conv3DSpec two = one;
  two.filters = 2;
  EXPECT_FALSE(fused(up, two, AlgorithmSwitch::automatic, Mode::infer)) << "2 output channels";
  Conv3DSpec padded = one;
  padded.padding = Padding::same;
  EXPECT_FALSE(fused(up, padded, AlgorithmSwitch::automatic, Mode::infer)) << "padding";
  Conv3DSpec plain = up;
  plain.upsample = {1, 1, 1};
  EXPECT_FALSE(fused(plain, one, AlgorithmSwitch::automatic, Mode::infer)) << "no up-sampling";
}

INSTANTIATE_TEST_SUITE_P(Shapes, FusedPair,
                         testing::Values(
                             // 3dgan-16 generator conv3 -> conv4 (DESIGN.md section 7) at batch 3.
                             PairCase{"gen conv3 conv4",
                                      {3, 16, 13, 14, 9},
                                      {{2, 2, 3}},
                                      ZeroPad3DSpec::symmetric(1, 0, 3),
                                      conv(16, {3, 3, 8}, Activation::leaky_relu, true, false),
                                      conv(1, {2, 2, 2}, Activation::relu, false, false)},
                             // 32 -> 32 -> 1 channels (two groups of 16), a 3-plane second kernel, a folded
                             // BatchNorm's shift on the first, bias, LeakyReLU and shift on the second.
                             PairCase{"wide deep kernel",
                                      {2, 32, 4, 3, 5},
                                      {{2, 1, 3}},
                                      ZeroPad3DSpec{{1, 0, 2}, {0, 1, 1}},
                                      conv(32, {2, 2, 3}, Activation::relu, false, true),
                                      conv(1, {3, 2, 1}, Activation::leaky_relu, true, true)}),
                         [](const auto& info) {
                           std::string s = info.param.label;
                           std::ranges::replace(s, ' ', '_');
                           return s;
                         });

}  // namespace
}  // namespace calo::nn::test
