// Conv3D's FFT plan (src/nn/conv/conv3d_fft.hh) against oneDNN's direct convolution
// (ConvAlgorithms::fft off): forward output, input, weight and bias gradients on the
// discriminator's 5^3 convolutions and on odd shapes (kernels 6x5x8, asymmetric padding,
// channel counts that are not multiples of the vector width, blocked and plain layouts),
// inference mode, weights that change between calls, both spectral-product kernels;
// finite differences; the transforms against a naive DFT; the automatic choice.
#include "nn/conv/conv3d_fft.hh"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <complex>
#include <numbers>

#include "conv_paths.hh"
#include "core/error.hh"
#include "grad_check.hh"
#include "nn/conv/real_fft3d.hh"
#include "nn/conv/spectral_product.hh"

namespace calo::nn::test {
namespace {

constexpr auto kOn = AlgorithmSwitch::on, kOff = AlgorithmSwitch::off;

/// Two threads (transforms and products run in parallel), the FFT plan as `fft` says, the
/// thin-input plan off (not compared here), spectral kernels `isa`.
ContextOptions options(AlgorithmSwitch fft, FftIsa isa = FftIsa::automatic) {
  return {.threads = 2, .conv = {.thin = kOff, .fft = fft, .fft_isa = isa}};
}

Context& ctx() {  // the FFT plan wherever it applies
  static Context c(options(kOn));
  return c;
}

/// One train step with the FFT plan on or off.
/// Output gradients are zeroed at the outputs near the activation's kink (KinkMask): there
/// the two algorithms' rounding may pick different branches.
StepResult train_step(const Conv3DSpec& spec, const Dims& in, AlgorithmSwitch fft, std::int64_t pre_filters,
                      const std::vector<float>* kink_reference, FftIsa isa = FftIsa::automatic) {
  Context c(options(fft, isa));
  return test::train_step(c, spec, in, fft_selected, pre_filters, {true, kink_reference});
}

// The FFT's rounding error is ~1e-6 of the largest output (every output sums all N^3
// products of the transforms), the direct convolution's ~1e-7: 1e-5 of the largest value
// separates rounding from any indexing error, which moves whole terms (order 1e-1 and up).
constexpr double kTol = 1e-5;

struct FftCase {
  const char* label;
  Dims in;
  Conv3DSpec spec;
  std::int64_t pre_filters = 0;
};

class FftMatchesDirect : public testing::TestWithParam<FftCase> {};

TEST_P(FftMatchesDirect, OutputInputGradientWeightAndBiasGradients) {
  const FftCase& c = GetParam();
  const StepResult direct = train_step(c.spec, c.in, kOff, c.pre_filters, nullptr);
  const StepResult fft = train_step(c.spec, c.in, kOn, c.pre_filters, &direct.y);
  EXPECT_FALSE(direct.selected) << c.label;
  ASSERT_TRUE(fft.selected) << c.label << ": the FFT plan was not used";
  EXPECT_LT(relative_error(fft.y, direct.y), kTol) << c.label << " (forward)";
  EXPECT_LT(relative_error(fft.dx, direct.dx), kTol) << c.label << " (input gradient)";
  EXPECT_LT(relative_error(fft.grads, direct.grads), kTol) << c.label << " (weight/bias gradients)";
  {
    ASSERT_STREQ(spectral::kernels(FftIsa::generic).isa, "generic");
    const StepResult portable = train_step(c.spec, c.in, kOn, c.pre_filters, &direct.y, FftIsa::generic);
    ASSERT_TRUE(portable.selected) << c.label << ": the FFT plan was not used (generic kernel)";
    EXPECT_LT(relative_error(portable.y, direct.y), kTol) << c.label << " (forward, generic kernel)";
    EXPECT_LT(relative_error(portable.dx, direct.dx), kTol) << c.label << " (input gradient, generic kernel)";
    EXPECT_LT(relative_error(portable.grads, direct.grads), kTol)
        << c.label << " (weight/bias gradients, generic kernel)";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, FftMatchesDirect,
    testing::Values(FftCase{"D conv2: 32 -> 16, 5^3, pad 2, LeakyReLU, 25^3, blocked input",
                            {2, 32, 25, 25, 25},
                            [] {
                              Conv3DSpec s = conv(16, {5, 5, 5}, Padding::valid, Activation::leaky_relu);
                              s.extra_front = s.extra_back = {2, 2, 2};
                              return s;
                            }(),
                            8},
                    FftCase{"D conv4: 16 -> 16, 5^3, pad 1 (25^3 -> 23^3), plain input",
                            {2, 16, 25, 25, 25},
                            [] {
                              Conv3DSpec s = conv(16, {5, 5, 5}, Padding::valid, Activation::leaky_relu);
                              s.extra_front = s.extra_back = {1, 1, 1};
                              return s;
                            }()},
                    FftCase{
                        "IC 3, OC 5, kernel 6x5x8 same + extra pad front (1,0,3) back (0,2,1), no bias, ReLU",
                        {3, 3, 9, 7, 12},
                        [] {
                          Conv3DSpec s = conv(5, {6, 5, 8}, Padding::same, Activation::relu);
                          s.extra_front = {1, 0, 3};
                          s.extra_back = {0, 2, 1};
                          s.use_bias = false;
                          return s;
                        }()},
                    FftCase{"IC 20 from a 1x1x1 conv, OC 19, 3x4x2 valid, no activation",
                            {1, 20, 6, 11, 5},
                            conv(19, {3, 4, 2}),
                            4},
                    FftCase{"kernel as large as the input (one output per dimension)",
                            {2, 9, 4, 5, 6},
                            conv(9, {4, 5, 6}, Padding::valid, Activation::leaky_relu)}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

/// The forward output of a fresh seeded layer on a seeded input with the FFT plan on or off,
/// in `mode`; with change_weights, after a first forward and a change of the weights in the
/// store (the optimiser's step between two forwards).
std::vector<float> forward(const Conv3DSpec& spec, const Dims& in, bool fft, Mode mode,
                           bool change_weights = false) {
  Context c(options(fft ? kOn : kOff));
  ParameterStore store;
  Conv3D layer(c, "t.conv", spec);
  setup(layer, store, in);
  const Tensor x = Tensor::from_host(c, in, normal(in.elements(), 2));
  EXPECT_EQ(fft_selected(layer, x, mode), fft);
  if (change_weights) {
    (void)layer.forward(x, mode);
    auto w = store.value(*store.find("t.conv.weight"));
    for (std::size_t i = 0; i < w.size(); i += 3) w[i] *= -2.f;
  }
  return layer.forward(x, mode).to_host();
}

TEST(FftConv, InferenceModeMatchesDirect) {
  const Conv3DSpec spec = conv(16, {5, 5, 5}, Padding::same, Activation::leaky_relu);
  const Dims in{3, 16, 11, 10, 9};
  EXPECT_LT(relative_error(forward(spec, in, true, Mode::infer), forward(spec, in, false, Mode::infer)),
            kTol);
}

TEST(FftConv, WeightsChangedBetweenForwardsAreUsed) {
  // The kernels' spectra are cached between forwards: an update of the weights in the
  // store must be seen by the next forward.
  const Conv3DSpec spec = conv(8, {3, 3, 3}, Padding::same);
  const Dims in{2, 8, 6, 7, 5};
  for (Mode mode : {Mode::train, Mode::infer})
    EXPECT_LT(relative_error(forward(spec, in, true, mode, true), forward(spec, in, false, mode, true)),
              kTol);
}

TEST(FftConv, PlanRunsWithItsContextsThreadsAfterAnotherContextChangedThem) {
  // Per-thread buffers are made for the context's threads; a Context created later with
  // more threads (or a caller that raised OpenMP's default) must not reach past them.
  const Conv3DSpec spec = conv(8, {3, 3, 3}, Padding::same);
  const Dims in{4, 8, 6, 7, 5};
  Context one({.threads = 1, .conv = {.fft = kOn}});
  ParameterStore store;
  Conv3D layer(one, "t.conv", spec);
  setup(layer, store, in);
  const Tensor x = Tensor::from_host(one, in, normal(in.elements(), 2));
  const std::vector<float> before = layer.forward(x, Mode::train).to_host();
  Context three(3);
  EXPECT_EQ(layer.forward(x, Mode::train).to_host(), before);
  const int caller = omp_get_max_threads();
  omp_set_num_threads(3);
  EXPECT_EQ(layer.forward(x, Mode::train).to_host(), before);
  EXPECT_EQ(omp_get_max_threads(), 3) << "the forward restores the caller's setting";
  omp_set_num_threads(caller);
}

TEST(FftConv, FiniteDifferences) {
  // Every output of an FFT convolution carries rounding of ~1e-6 of the largest output, and a
  // probe changes all of them, so L's rounding grows with the number of outputs (measured:
  // the 26^3 shapes of nn_layers_test fail the check with the FFT forced at h = 1e-3). On
  // these small shapes it stays below the check's resolution at the default step; a larger
  // step is no way out, it makes the activation's kink crossings too many (h = 1e-2 fails
  // here with the direct convolution too).
  const Conv3DSpec leaky = conv(6, {5, 5, 5}, Padding::same, Activation::leaky_relu);
  Conv3DSpec odd = conv(4, {6, 5, 8}, Padding::valid);
  odd.extra_front = {1, 0, 3};
  const struct {
    Dims in;
    Conv3DSpec spec;
  } cases[] = {{{2, 5, 7, 6, 5}, leaky}, {{2, 3, 7, 6, 9}, odd}};
  for (const auto& c : cases) {
    ParameterStore store;
    Conv3D layer(ctx(), "t.conv", c.spec);
    setup(layer, store, c.in);
    EXPECT_TRUE(fft_selected(layer, Tensor::zeros(ctx(), c.in), Mode::train));
    check_gradients(layer, store, c.in);
  }
}

TEST(FftConv, FrozenAndFirstLayerBackward) {
  // Weight gradients off (a frozen discriminator): only diff_in; need_diff_in off (the first
  // layer of a discriminator update): only the weight gradients.
  const Conv3DSpec spec = conv(8, {5, 5, 5}, Padding::same, Activation::leaky_relu);
  const Dims in{2, 9, 7, 6, 5};
  check_frozen_and_first_layer_backward(ctx(), spec, in);
}

TEST(FftConv, AutomaticChoiceAndOptions) {
  Conv3DSpec d2 = conv(16, {5, 5, 5}, Padding::valid, Activation::leaky_relu);
  d2.extra_front = d2.extra_back = {2, 2, 2};
  Context automatic(options(AlgorithmSwitch::automatic)), off(options(kOff));
  ParameterStore store;
  Conv3D conv2(automatic, "d.conv2", d2), conv1(automatic, "d.conv1", conv(32, {5, 5, 5}, Padding::same)),
      small(automatic, "t.small", conv(16, {1, 1, 1})),
      to_one(automatic, "t.one", conv(1, {5, 5, 5}, Padding::same)), conv2_off(off, "d.conv2_off", d2);
  const Dims wide{8, 32, 25, 25, 25}, thin{8, 1, 25, 25, 25};
  conv2.declare(wide, store);
  conv1.declare(thin, store);
  small.declare(wide, store);
  to_one.declare(wide, store);
  conv2_off.declare(wide, store);
  store.finalize();
  EXPECT_EQ(fft_size(conv2, wide), (std::array<std::int64_t, 3>{32, 32, 32}));  // 29 -> 32
  EXPECT_TRUE(fft_pays(conv2, wide));
  EXPECT_FALSE(fft_pays(conv1, thin));   // one input channel: 33 transforms for 125 taps
  EXPECT_FALSE(fft_pays(small, wide));   // 1x1x1: nothing to save
  EXPECT_FALSE(fft_pays(to_one, wide));  // one output channel
  // 1 GiB of spectra: batch 88 still fits (0.98 GiB), batch 96 (1.06 GiB) runs direct.
  EXPECT_TRUE(fft_pays(conv2, {88, 32, 25, 25, 25}));
  EXPECT_FALSE(fft_pays(conv2, {96, 32, 25, 25, 25}));
  const Tensor x = Tensor::zeros(automatic, wide);
  EXPECT_TRUE(fft_selected(conv2, x, Mode::train));
  EXPECT_TRUE(fft_selected(conv2, x, Mode::infer));
  EXPECT_FALSE(fft_selected(conv2_off, x, Mode::train));
  // With the portable kernels the cost model declines (calibrated with the AVX-512 ones).
  Context generic(options(AlgorithmSwitch::automatic, FftIsa::generic));
  Conv3D conv2_generic(generic, "d.conv2", d2);
  ParameterStore store2;
  conv2_generic.declare(wide, store2);
  store2.finalize();
  EXPECT_FALSE(fft_pays(conv2_generic, wide));
}

TEST(RealFft3D, GoodSizes) {
  EXPECT_EQ(RealFft3D::good_size(1), 1);
  EXPECT_EQ(RealFft3D::good_size(7), 7);
  EXPECT_EQ(RealFft3D::good_size(9), 12);
  EXPECT_EQ(RealFft3D::good_size(13), 16);
  EXPECT_EQ(RealFft3D::good_size(23), 24);
  EXPECT_EQ(RealFft3D::good_size(25), 32);
  EXPECT_EQ(RealFft3D::good_size(29), 32);
  EXPECT_EQ(RealFft3D::good_size(33), 48);
}

TEST(RealFft3D, ForwardIsTheDftAndInverseUndoesIt) {
  const std::array<std::int64_t, 3> n{3, 4, 5};
  RealFft3D fft(n);
  EXPECT_EQ(fft.spectrum_size(), 3 * 4 * 3);
  EXPECT_EQ(fft.spectrum_stride(), 40);
  auto plane = RealFft3D::alloc(60), back = RealFft3D::alloc(60);
  auto spec = RealFft3D::alloc(2 * 40);
  const auto x = normal(60, 9);
  std::copy(x.begin(), x.end(), plane.get());
  fft.forward(plane.get(), spec.get());
  double worst = 0;
  for (std::int64_t a = 0; a < 3; ++a)
    for (std::int64_t b = 0; b < 4; ++b)
      for (std::int64_t c = 0; c < 3; ++c) {
        std::complex<double> sum = 0;
        for (std::int64_t i = 0; i < 3; ++i)
          for (std::int64_t j = 0; j < 4; ++j)
            for (std::int64_t k = 0; k < 5; ++k) {
              const double phase = -2 * std::numbers::pi * (a * i / 3.0 + b * j / 4.0 + c * k / 5.0);
              sum += static_cast<double>(x[(i * 4 + j) * 5 + k]) * std::polar(1.0, phase);
            }
        const float* got = spec.get() + 2 * ((a * 4 + b) * 3 + c);
        worst = std::max(worst, std::abs(sum - std::complex<double>(got[0], got[1])));
      }
  EXPECT_LT(worst, 1e-5);
  fft.inverse(spec.get(), back.get());
  for (int i = 0; i < 60; ++i) EXPECT_NEAR(back.get()[i], 60 * x[i], 1e-4) << i;
}

TEST(RealFft3D, RegionTransformsMatchTheWholePlanes) {
  // A box (offset (1,2,0), size 3x2x5) in a 6x5x8 plane: the pruned passes read / compute
  // only the box and give the whole transforms' numbers there.
  const std::array<std::int64_t, 3> n{6, 5, 8};
  const RealFft3D::Box box{{1, 2, 0}, {3, 2, 5}};
  RealFft3D whole(n), region(n, box);
  EXPECT_EQ(region.plane_stride(), 240);
  EXPECT_EQ(region.spectrum_stride(), 152);  // 6 x 5 x 5 = 150 complex, rounded up to 8
  auto plane = RealFft3D::alloc(240), back = RealFft3D::alloc(240);
  auto a = RealFft3D::alloc(2 * 152), b = RealFft3D::alloc(2 * 152);
  const auto v = normal(240, 12);
  for (std::int64_t d = 0; d < 3; ++d)
    for (std::int64_t h = 0; h < 2; ++h)
      for (std::int64_t w = 0; w < 5; ++w) {
        const std::int64_t i = ((d + 1) * 5 + h + 2) * 8 + w;
        plane.get()[i] = v[i];
      }
  for (int i = 0; i < 2 * 150; ++i) b.get()[i] = 1e9f;  // the region's forward must write every bin
  whole.forward(plane.get(), a.get());
  region.forward(plane.get(), b.get());
  for (int i = 0; i < 2 * 150; ++i) EXPECT_NEAR(b.get()[i], a.get()[i], 1e-5) << i;
  region.inverse(b.get(), back.get());
  for (std::int64_t d = 0; d < 3; ++d)
    for (std::int64_t h = 0; h < 2; ++h)
      for (std::int64_t w = 0; w < 5; ++w) {
        const std::int64_t i = ((d + 1) * 5 + h + 2) * 8 + w;
        EXPECT_NEAR(back.get()[i], 240 * v[i], 1e-3) << i;
      }
}

TEST(RealFft3D, RegionRowsPairUpWhateverTheirCountAndLength) {
  // The pass along W transforms two real rows per complex transform, 16 pairs per call: boxes
  // of odd row counts (a last row without partner), more rows than one call takes (D x H = 7 x
  // 6 = 42 rows: two calls), odd and even W, W = 32 (the AVX-512 packing where the CPU has
  // it), a box not at the origin; against the whole-plane r2c / c2r transforms.
  struct Case {
    std::array<std::int64_t, 3> n;
    RealFft3D::Box box;
  };
  for (const Case& c : {Case{{5, 7, 9}, {{1, 2, 0}, {3, 3, 7}}}, Case{{8, 8, 10}, {{1, 1, 0}, {7, 6, 10}}},
                        Case{{4, 6, 6}, {{0, 0, 0}, {1, 1, 4}}}, Case{{4, 5, 32}, {{1, 1, 0}, {3, 3, 25}}},
                        Case{{6, 8, 32}, {{1, 0, 0}, {5, 8, 32}}}}) {
    RealFft3D whole(c.n), region(c.n, c.box);
    const std::int64_t floats = region.plane_stride(), complex = region.spectrum_size();
    auto plane = RealFft3D::alloc(floats), back = RealFft3D::alloc(floats);
    auto a = RealFft3D::alloc(2 * region.spectrum_stride()),
         b = RealFft3D::alloc(2 * region.spectrum_stride());
    const auto v = normal(floats, 21);
    auto inside = [&](std::int64_t d, std::int64_t h, std::int64_t w) {
      return d >= c.box.offset[0] && d < c.box.offset[0] + c.box.size[0] && h >= c.box.offset[1] &&
             h < c.box.offset[1] + c.box.size[1] && w < c.box.size[2];
    };
    for (std::int64_t d = 0; d < c.n[0]; ++d)
      for (std::int64_t h = 0; h < c.n[1]; ++h)
        for (std::int64_t w = 0; w < c.n[2]; ++w) {
          const std::int64_t i = (d * c.n[1] + h) * c.n[2] + w;
          plane.get()[i] = inside(d, h, w) ? v[i] : 0.f;
        }
    whole.forward(plane.get(), a.get());
    region.forward(plane.get(), b.get());
    // Rounding grows with the number of points summed (float: ~1e-7 of values ~sqrt(points));
    // a misplaced row or bin is off by O(sqrt(points)) forward and O(points) back.
    const double points = static_cast<double>(c.n[0] * c.n[1] * c.n[2]);
    for (std::int64_t i = 0; i < 2 * complex; ++i)
      EXPECT_NEAR(b.get()[i], a.get()[i], 1e-6 * points) << c.n[2] << " " << i;
    region.inverse(b.get(), back.get());
    for (std::int64_t d = 0; d < c.n[0]; ++d)
      for (std::int64_t h = 0; h < c.n[1]; ++h)
        for (std::int64_t w = 0; w < c.n[2]; ++w) {
          const std::int64_t i = (d * c.n[1] + h) * c.n[2] + w;
          if (inside(d, h, 0)) {
            EXPECT_NEAR(back.get()[i], points * plane.get()[i], 1e-5 * points) << c.n[2] << " " << i;
          }
        }
  }
}

TEST(SpectralKernels, CrossSpectrumAndAxpyOnBothInstructionSets) {
  // 3 samples of 5 x channels and 3 y channels, 13 bins (one vector of 8 and a tail of 5),
  // layout [sample][channel][bin]: a 5 x 3 tile covers a full and a partial group of 4 x
  // channels and of 2 y channels in the vector kernel.
  constexpr std::int64_t kBins = 13, kX = 5, kY = 3, kBatch = 3;
  const auto x = normal(2 * kBatch * kX * kBins, 4), y = normal(2 * kBatch * kY * kBins, 5),
             base = normal(2 * kBins, 6);
  const spectral::CrossTile tile{kX, kBins, kX * kBins, kY, kBins, kY * kBins, kBatch, kBins, kBins + 3};
  for (FftIsa choice : {FftIsa::automatic, FftIsa::generic}) {
    const spectral::Kernels& k = spectral::kernels(choice);
    const char* isa = k.isa;
    std::vector<float> g(2 * kX * kY * (kBins + 3), -7.f);
    k.cross_spectrum(x.data(), y.data(), tile, g.data());
    for (std::int64_t a = 0; a < kX; ++a)
      for (std::int64_t b = 0; b < kY; ++b) {
        const float* pair = g.data() + 2 * (a * kY + b) * (kBins + 3);
        for (std::int64_t f = 0; f < kBins; ++f) {
          std::complex<double> sum = 0;
          for (std::int64_t n = 0; n < kBatch; ++n) {
            const float* p = x.data() + 2 * ((n * kX + a) * kBins + f);
            const float* q = y.data() + 2 * ((n * kY + b) * kBins + f);
            sum += std::complex<double>(p[0], p[1]) * std::conj(std::complex<double>(q[0], q[1]));
          }
          EXPECT_NEAR(pair[2 * f], sum.real(), 1e-5) << isa << " pair " << a << "," << b << " bin " << f;
          EXPECT_NEAR(pair[2 * f + 1], sum.imag(), 1e-5) << isa << " pair " << a << "," << b << " bin " << f;
        }
        for (std::int64_t f = kBins; f < kBins + 3; ++f)  // between pairs: untouched
          EXPECT_EQ(pair[2 * f], -7.f) << isa;
        // The same pair alone gives the same bits: a pair's sum does not depend on its tile.
        const spectral::CrossTile one{1, kBins, kX * kBins, 1, kBins, kY * kBins, kBatch, kBins, kBins};
        std::vector<float> alone(2 * kBins);
        k.cross_spectrum(x.data() + 2 * a * kBins, y.data() + 2 * b * kBins, one, alone.data());
        for (std::int64_t i = 0; i < 2 * kBins; ++i)
          EXPECT_EQ(alone[i], pair[i]) << isa << " " << a << "," << b;
      }
    std::vector<float> acc = base;
    const float* pair = g.data() + 2 * (1 * kY + 0) * (kBins + 3);
    k.axpy(0.5f, -2.f, pair, acc.data(), kBins);
    for (std::int64_t f = 0; f < kBins; ++f) {
      const std::complex<double> want =
          std::complex<double>(base[2 * f], base[2 * f + 1]) +
          std::complex<double>(0.5, -2.0) * std::complex<double>(pair[2 * f], pair[2 * f + 1]);
      EXPECT_NEAR(acc[2 * f], want.real(), 1e-4) << isa << " bin " << f;
      EXPECT_NEAR(acc[2 * f + 1], want.imag(), 1e-4) << isa << " bin " << f;
    }
  }
}

TEST(SpectralKernels, ProductComputesTheComplexSumsOnBothInstructionSets) {
  // 3 samples (a pair the vector kernel runs together and one alone), IC 3, OC 10 (full and
  // partial groups of output channels), 2 bin blocks.
  constexpr std::int64_t N = 3;
  const spectral::Shape s{N, 3, 10, 16};
  const auto in_f = normal(2 * N * 3 * 16, 1), in_a = normal(2 * N * 10 * 16, 2),
             w = normal(2 * 3 * 10 * 16, 3);
  auto W = [&](std::int64_t f, std::int64_t ic, std::int64_t oc) {
    const float* p = w.data() + (((f / 8) * 3 + ic) * 10 + oc) * 16 + (f % 8) * 2;
    return std::complex<double>(p[0], p[1]);
  };
  for (FftIsa choice : {FftIsa::automatic, FftIsa::generic}) {
    std::vector<float> out_f(2 * N * 10 * 16), out_a(2 * N * 3 * 16);
    const spectral::Kernels& k = spectral::kernels(choice);
    const char* isa = k.isa;
    k.product(spectral::Direction::forward, s, in_f.data(), w.data(), out_f.data(), 0, 2);
    k.product(spectral::Direction::adjoint, s, in_a.data(), w.data(), out_a.data(), 0, 2);
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t f = 0; f < 16; ++f) {
        for (std::int64_t oc = 0; oc < 10; ++oc) {
          std::complex<double> sum = 0;
          for (std::int64_t ic = 0; ic < 3; ++ic) {
            const float* x = in_f.data() + ((n * 3 + ic) * 16 + f) * 2;
            sum += std::complex<double>(x[0], x[1]) * std::conj(W(f, ic, oc));
          }
          const float* y = out_f.data() + ((n * 10 + oc) * 16 + f) * 2;
          EXPECT_NEAR(y[0], sum.real(), 1e-5) << isa << " sample " << n;
          EXPECT_NEAR(y[1], sum.imag(), 1e-5) << isa << " sample " << n;
        }
        for (std::int64_t ic = 0; ic < 3; ++ic) {
          std::complex<double> sum = 0;
          for (std::int64_t oc = 0; oc < 10; ++oc) {
            const float* x = in_a.data() + ((n * 10 + oc) * 16 + f) * 2;
            sum += std::complex<double>(x[0], x[1]) * W(f, ic, oc);
          }
          const float* y = out_a.data() + ((n * 3 + ic) * 16 + f) * 2;
          EXPECT_NEAR(y[0], sum.real(), 1e-5) << isa << " sample " << n;
          EXPECT_NEAR(y[1], sum.imag(), 1e-5) << isa << " sample " << n;
        }
      }
    // A sample's result does not depend on the samples it was computed with: sample 2 alone
    // (a batch of one) gives the same bits.
    const spectral::Shape one{1, 3, 10, 16};
    std::vector<float> alone(2 * 10 * 16);
    k.product(spectral::Direction::forward, one, in_f.data() + 2 * 2 * 3 * 16, w.data(), alone.data(), 0, 2);
    for (std::size_t i = 0; i < alone.size(); ++i)
      EXPECT_EQ(alone[i], out_f[2 * 2 * 10 * 16 + i]) << isa << " " << i;
    k.product(spectral::Direction::forward, one, in_f.data(), w.data(), alone.data(), 0, 2);  // sample 0
    for (std::size_t i = 0; i < alone.size(); ++i) EXPECT_EQ(alone[i], out_f[i]) << isa << " " << i;
  }
}

}  // namespace
}  // namespace calo::nn::test
