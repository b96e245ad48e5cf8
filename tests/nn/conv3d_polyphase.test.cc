// Conv3D with a folded UpSampling3D (the polyphase plan, src/nn/conv3d_polyphase.cc): the
// phase split against brute-force index arithmetic, and UpSampling3D -> ZeroPad3D ->
// Conv3D folded equal to the same layers run one by one (forward in both modes, data,
// weight and bias gradients) at the 3DGAN generator's shapes and odd ones, plus a
// finite-difference check of the folded layer.
#include "nn/conv/conv3d_polyphase.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "grad_check.hh"
#include "relative_error.hh"

namespace calo::nn::test {
namespace {

using calo::test::relative_error;

Context& ctx() {
  static Context c(1);  // one thread: the suite runs beside other jobs on 2 cores
  return c;
}

// Output o of "upsample by f, pad p in front, K taps" reads upsampled index u = o - p + k,
// i.e. input u / f when 0 <= u < f n; the phase of o must read the same element (or zero).
TEST(PolyphaseSplit, ReadsTheSameInputAsUpsampleThenConvolve) {
  for (std::int64_t n : {1, 3, 7})
    for (std::int64_t f : {1, 2, 3})
      for (std::int64_t p : {0, 1, 2, 3})
        for (std::int64_t back : {0, 2})
          for (std::int64_t K : {1, 2, 3, 5, 6, 8}) {
            const std::int64_t out = f * n + p + back - K + 1;
            if (out < 1) continue;
            const auto phases = split_phases(n, f, p, K, out);
            ASSERT_EQ(static_cast<std::int64_t>(phases.size()), std::min(f, out));
            std::int64_t covered = 0;
            for (const PhaseAxis& a : phases) {
              covered += a.count;
              EXPECT_GE(a.computed, a.count);
              EXPECT_EQ(a.computed, n + a.pad_front + a.pad_back - a.taps + 1);
              EXPECT_LE(a.taps, (K + f - 1) / f + 1);
            }
            EXPECT_EQ(covered, out);
            for (std::int64_t o = 0; o < out; ++o) {
              const PhaseAxis& a = phases[o % f];
              ASSERT_EQ(a.r, o % f);
              const std::int64_t q = o / f;
              for (std::int64_t k = 0; k < K; ++k) {
                const std::int64_t u = o - p + k;
                const std::int64_t want = (u >= 0 && u < f * n) ? u / f : -1;
                const std::int64_t i = q - a.pad_front + a.tap_of[k];
                const std::int64_t got = (i >= 0 && i < n) ? i : -1;
                ASSERT_EQ(got, want) << "n " << n << " f " << f << " p " << p << " K " << K << " o " << o
                                     << " k " << k;
                ASSERT_LT(a.tap_of[k], a.taps);
              }
            }
          }
}

struct UpConvCase {
  const char* label;
  Dims in;  // batch included
  UpSampling3DSpec up;
  ZeroPad3DSpec pad;
  Conv3DSpec conv;
};

void build(Sequential& s, const UpConvCase& c) {
  s.emplace<UpSampling3D>("t.up", c.up);
  s.emplace<ZeroPad3D>("t.pad", c.pad);
  s.emplace<Conv3D>("t.conv", c.conv);
}

std::vector<float> normal(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed, 0);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

class PolyphaseConv : public testing::TestWithParam<UpConvCase> {};

// float32 sums of up to ~15k products in another order: ~1e-6 of the tensor's scale.
constexpr double kTolerance = 1e-5;

TEST_P(PolyphaseConv, FoldedEqualsUnfolded) {
  const UpConvCase& c = GetParam();
  ParameterStore fs, us;
  Sequential folded(ctx(), "t"), unfolded(ctx(), "t");
  build(folded, c);
  build(unfolded, c);
  unfolded.set_folding(false);
  const Dims out = setup(folded, fs, c.in, 5);
  ASSERT_EQ(setup(unfolded, us, c.in, 5), out);
  ASSERT_TRUE(folded.layer(0).folded() && folded.layer(1).folded())
      << "up-sampling and padding fold into the conv";
  ASSERT_EQ(fs.size(), us.size());
  // Biases non-zero, so that their path is checked.
  for (std::size_t i = 0; i < fs.parameters().size(); ++i)
    if (fs.parameters()[i].name.ends_with(".bias")) {
      const auto b = normal(static_cast<std::int64_t>(fs.value(i).size()), 8);
      std::ranges::copy(b, fs.value(i).begin());
      std::ranges::copy(b, us.value(i).begin());
    }

  const auto xs = normal(c.in.elements(), 1);
  for (Mode m : {Mode::infer, Mode::train}) {
    const auto want = unfolded.forward(Tensor::from_host(ctx(), c.in, xs), m).to_host();
    const auto got = folded.forward(Tensor::from_host(ctx(), c.in, xs), m).to_host();
    EXPECT_LE(relative_error(got, want), kTolerance) << c.label << (m == Mode::train ? " train" : " infer");
  }

  const auto dys = normal(out.elements(), 2);
  std::vector<float> dx[2];
  ParameterStore* stores[2] = {&fs, &us};
  Sequential* nets[2] = {&folded, &unfolded};
  const Tensor x = Tensor::from_host(ctx(), c.in, xs);
  for (int k = 0; k < 2; ++k) {
    const Tensor& y = nets[k]->forward(x, Mode::train);
    Tensor dy = Tensor::zeros_like(y);
    dy.assign(dys);
    stores[k]->zero_grads();
    dx[k] = nets[k]->backward(dy)->to_host();
  }
  EXPECT_LE(relative_error(dx[0], dx[1]), kTolerance) << c.label << ": input gradient";
  for (std::size_t i = 0; i < fs.parameters().size(); ++i)
    EXPECT_LE(relative_error(fs.grad(i), us.grad(i)), kTolerance)
        << c.label << ": " << fs.parameters()[i].name;
}

TEST_P(PolyphaseConv, FiniteDifferenceGradients) {
  UpConvCase c = GetParam();
  if (c.in.c * c.conv.filters > 16 * 16) GTEST_SKIP() << "the small cases cover the arithmetic";
  ParameterStore store;
  Sequential s(ctx(), "t");
  build(s, c);
  c.in.n = 1;
  setup(s, store, c.in, 6);
  // Every input element reaches up to fD fH fW times more outputs than in a plain conv, so
  // more pre-activations cross a ReLU kink within +-h: at the default h = 1e-3 the 'relu'
  // case fails 4 probes by 3-50 %, identically for the unfolded layers (checked). h = 1e-4
  // keeps the float rounding of L over 2h below the tolerance (grad_check.hh).
  GradCheckOptions opt;
  opt.h = 1e-4;
  check_gradients(s, store, c.in, opt);
}

Conv3DSpec conv(std::int64_t filters, std::array<std::int64_t, 3> k, Activation act = Activation::leaky_relu,
                Padding p = Padding::valid, bool bias = true) {
  return {.filters = filters, .kernel = k, .padding = p, .use_bias = bias, .activation = act};
}

INSTANTIATE_TEST_SUITE_P(Shapes, PolyphaseConv,
                         testing::Values(
                             // 3dgan-16 generator conv2 and conv3 (DESIGN.md section 7), batch 2.
                             UpConvCase{"gen conv2",
                                        {2, 64, 7, 7, 8},
                                        {{2, 2, 2}},
                                        ZeroPad3DSpec::symmetric(2, 2, 0),
                                        conv(16, {6, 5, 8})},
                             UpConvCase{"gen conv3",
                                        {2, 16, 13, 14, 9},
                                        {{2, 2, 3}},
                                        ZeroPad3DSpec::symmetric(1, 0, 3),
                                        conv(16, {3, 3, 8})},
                             // 3dgan-v1: 6 channels (a padded channel block in the blocked layouts).
                             UpConvCase{"v1 conv3",
                                        {2, 6, 13, 14, 9},
                                        {{2, 2, 3}},
                                        ZeroPad3DSpec::symmetric(1, 0, 3),
                                        conv(6, {3, 3, 8})},
                             // Odd: factor 3 and 1, asymmetric padding, kernel smaller than the factor,
                             // 'same', no bias, ReLU, 3 input channels.
                             UpConvCase{"odd asym",
                                        {2, 3, 4, 3, 5},
                                        {{3, 1, 2}},
                                        ZeroPad3DSpec{{0, 1, 2}, {2, 0, 1}},
                                        conv(5, {2, 3, 4})},
                             UpConvCase{"odd same relu nobias",
                                        {1, 4, 3, 4, 2},
                                        {{2, 3, 3}},
                                        ZeroPad3DSpec{{1, 0, 0}, {0, 0, 1}},
                                        conv(7, {1, 5, 3}, Activation::relu, Padding::same, false)},
                             UpConvCase{"odd linear",
                                        {3, 2, 2, 2, 2},
                                        {{3, 3, 3}},
                                        ZeroPad3DSpec{},
                                        conv(3, {4, 2, 1}, Activation::none)}),
                         [](const auto& info) {
                           std::string s = info.param.label;
                           std::ranges::replace(s, ' ', '_');
                           return s;
                         });

}  // namespace
}  // namespace calo::nn::test
