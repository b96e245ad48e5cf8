// Every layer: finite-difference checks of data and parameter gradients at several shapes
// (including the GAN's odd ones), forward values against direct formulas, bad specs.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <stdexcept>

#include "core/error.hh"
#include "grad_check.hh"

namespace calo::nn::test {
namespace {

Context& ctx() {
  static Context c(1);  // one thread: the suite runs beside other jobs on 2 cores
  return c;
}

std::vector<float> iota(std::int64_t n) {
  std::vector<float> v(n);
  for (std::int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return v;
}

TEST(Dense, Gradients) {
  for (bool bias : {true, false}) {
    ParameterStore store;
    Dense d(ctx(), "t.dense", {.units = 5, .use_bias = bias});
    setup(d, store, {.n = 3, .c = 7});
    check_gradients(d, store, {.n = 3, .c = 7});
  }
}

TEST(Dense, ForwardMatchesFormulaAndRejectsVolume) {
  ParameterStore store;
  Dense d(ctx(), "t.dense", {.units = 2});
  setup(d, store, {.n = 1, .c = 3});
  auto w = store.value(0), b = store.value(1);
  const std::vector<float> x = {1, -2, 3};
  const auto y = d.forward(Tensor::from_host(ctx(), {1, 3}, x), Mode::infer).to_host();
  for (int o = 0; o < 2; ++o)
    EXPECT_NEAR(y[o], w[o * 3] * 1 - 2 * w[o * 3 + 1] + 3 * w[o * 3 + 2] + b[o], 1e-5);
  EXPECT_THROW(d.output_dims({1, 3, 2, 1, 1}), InputError);
}

struct ConvCase {
  const char* label;
  Dims in;
  Conv3DSpec spec;
  Dims expect_out;
};

class ConvGradients : public testing::TestWithParam<ConvCase> {};

TEST_P(ConvGradients, DataAndWeights) {
  const ConvCase& c = GetParam();
  ParameterStore store;
  Conv3D conv(ctx(), "t.conv", c.spec);
  EXPECT_EQ(setup(conv, store, c.in), c.expect_out) << c.label;
  check_gradients(conv, store, c.in);
}

Conv3DSpec conv(std::int64_t f, std::array<std::int64_t, 3> k, Padding p = Padding::valid) {
  return {.filters = f, .kernel = k, .padding = p};
}

ConvCase with(ConvCase c, auto&& f) {
  f(c.spec);
  return c;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvGradients,
    testing::Values(
        ConvCase{"valid 3^3", {2, 3, 5, 6, 7}, conv(4, {3, 3, 3}), {2, 4, 3, 4, 5}},
        ConvCase{"same 6x6x8 (front 2/2/3, back 3/3/4)",
                 {2, 8, 7, 7, 8},
                 conv(3, {6, 6, 8}, Padding::same),
                 {2, 3, 7, 7, 8}},
        with(ConvCase{"6x5x8 after pad (2,2,0)", {2, 2, 14, 14, 16}, conv(3, {6, 5, 8}), {2, 3, 13, 14, 9}},
             [](Conv3DSpec& s) {
               s.extra_front = {2, 2, 0};
               s.extra_back = {2, 2, 0};
             }),
        with(ConvCase{"3x3x8 after pad (1,0,3), LeakyReLU fused",
                      {1, 2, 26, 28, 27},
                      conv(2, {3, 3, 8}),
                      {1, 2, 26, 26, 26}},
             [](Conv3DSpec& s) {
               s.extra_front = {1, 0, 3};
               s.extra_back = {1, 0, 3};
               s.activation = Activation::leaky_relu;
             }),
        with(ConvCase{"asymmetric pad front (1,0,3) back (0,2,1), no bias",
                      {2, 3, 4, 5, 6},
                      conv(16, {2, 3, 4}),
                      {2, 16, 4, 5, 7}},
             [](Conv3DSpec& s) {
               s.extra_front = {1, 0, 3};
               s.extra_back = {0, 2, 1};
               s.use_bias = false;
             }),
        with(ConvCase{"25^3 single channel, 5^3 same, ReLU fused",
                      {1, 1, 25, 25, 25},
                      conv(2, {5, 5, 5}, Padding::same),
                      {1, 2, 25, 25, 25}},
             [](Conv3DSpec& s) { s.activation = Activation::relu; }),
        ConvCase{"2x2x2 no pad to 25^3", {2, 4, 26, 26, 26}, conv(1, {2, 2, 2}), {2, 1, 25, 25, 25}}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(Conv3D, RejectsImpossibleShapes) {
  Conv3D c(ctx(), "d.conv9", conv(2, {6, 5, 8}));
  try {
    c.output_dims({1, 1, 5, 5, 8});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("d.conv9"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Conv3D(ctx(), "x", conv(0, {3, 3, 3})), InputError);
  EXPECT_THROW(Conv3D(ctx(), "x", conv(2, {3, -1, 3})), InputError);
  EXPECT_THROW(c.output_dims({1, 0, 8, 8, 8}), InputError);
}

TEST(ZeroPad3D, GradientsAndValues) {
  ParameterStore store;
  ZeroPad3D pad(ctx(), "t.pad", {{1, 0, 3}, {0, 2, 1}});
  const Dims in{2, 3, 3, 4, 2};
  EXPECT_EQ(setup(pad, store, in), (Dims{2, 3, 4, 6, 6}));
  check_gradients(pad, store, in);
  const auto x = iota(in.elements());
  const auto y = pad.forward(Tensor::from_host(ctx(), in, x), Mode::infer).to_host();
  // y[n][c][d+1][h][w+3] = x[n][c][d][h][w], zero elsewhere.
  double sum = 0;
  for (float v : y) sum += v;
  double expect = 0;
  for (float v : x) expect += v;
  EXPECT_DOUBLE_EQ(sum, expect);
  EXPECT_EQ(y[((0 * 3 + 0) * 4 + 1) * 36 + 0 * 6 + 3], x[0]);
  EXPECT_EQ(y[0], 0.f);
}

TEST(UpSampling3D, RepeatsLikeKerasAndGradients) {
  ParameterStore store;
  UpSampling3D up(ctx(), "t.up", {{2, 2, 3}});
  const Dims in{2, 2, 3, 2, 4};
  EXPECT_EQ(setup(up, store, in), (Dims{2, 2, 6, 4, 12}));
  check_gradients(up, store, in);
  const auto x = iota(in.elements());
  const auto y = up.forward(Tensor::from_host(ctx(), in, x), Mode::infer).to_host();
  for (std::int64_t nc = 0; nc < 4; ++nc)
    for (int d = 0; d < 6; ++d)
      for (int h = 0; h < 4; ++h)
        for (int w = 0; w < 12; ++w)
          ASSERT_EQ(y[((nc * 6 + d) * 4 + h) * 12 + w], x[((nc * 3 + d / 2) * 2 + h / 2) * 4 + w / 3]);
}

TEST(BatchNorm, TrainingGradients) {
  for (Dims in : {Dims{4, 3, 2, 3, 2}, Dims{2, 16, 3, 3, 3}}) {
    ParameterStore store;
    BatchNorm bn(ctx(), "t.bn");
    setup(bn, store, in);
    check_gradients(bn, store, in);
  }
}

TEST(BatchNorm, MovingStatisticsAndInference) {
  ParameterStore store;
  BatchNorm bn(ctx(), "t.bn");
  const Dims in{2, 1, 1, 1, 2};
  setup(bn, store, in);
  std::ranges::fill(store.value(0), 2.f);     // gamma
  std::ranges::fill(store.value(1), 0.5f);    // beta
  const std::vector<float> x = {1, 2, 3, 6};  // mean 3, biased var 3.5, unbiased 14/3
  const auto y = bn.forward(Tensor::from_host(ctx(), in, x), Mode::train).to_host();
  EXPECT_NEAR(y[0], 2 * (1 - 3) / std::sqrt(3.5 + 1e-3) + 0.5, 1e-5);
  EXPECT_NEAR(store.state(0)[0], 0.01 * 3, 1e-6);
  EXPECT_NEAR(store.state(1)[0], 0.99 + 0.01 * 14.0 / 3, 1e-6);
  const auto z = bn.forward(Tensor::from_host(ctx(), in, x), Mode::infer).to_host();
  const double m = store.state(0)[0], v = store.state(1)[0];
  EXPECT_NEAR(z[3], 2 * (6 - m) / std::sqrt(v + 1e-3) + 0.5, 1e-5);
  EXPECT_EQ(store.states()[0].name, "t.bn.moving_mean");
}

TEST(Eltwise, Gradients) {
  const Dims in{2, 3, 4, 3, 5};
  for (int kind = 0; kind < 3; ++kind) {
    ParameterStore store;
    std::unique_ptr<Layer> l;
    if (kind == 0) l = std::make_unique<ReLU>(ctx(), "t.relu");
    if (kind == 1) l = std::make_unique<LeakyReLU>(ctx(), "t.lrelu");
    if (kind == 2) l = std::make_unique<Sigmoid>(ctx(), "t.sig");
    setup(*l, store, in);
    check_gradients(*l, store, in);
  }
  ParameterStore store;
  LeakyReLU l(ctx(), "t.lrelu");
  setup(l, store, {1, 2});
  const auto y =
      l.forward(Tensor::from_host(ctx(), {1, 2}, std::vector<float>{-1, 2}), Mode::infer).to_host();
  EXPECT_FLOAT_EQ(y[0], -0.3f);
  EXPECT_FLOAT_EQ(y[1], 2.f);
}

TEST(Dropout, GradientsWithFixedMaskAndStatistics) {
  ParameterStore store;
  Dropout drop(ctx(), "t.drop", {.rate = 0.2f, .seed = 5});
  const Dims in{2, 3, 5, 5, 5};
  setup(drop, store, in);
  GradCheckOptions opt;
  opt.before_forward = [&] { drop.set_seed(5); };
  check_gradients(drop, store, in, opt);

  const Dims big{4, 8, 25, 25, 25};
  const std::vector<float> ones(big.elements(), 1.f);
  Tensor x = Tensor::from_host(ctx(), big, ones);
  const auto y = drop.forward(x, Mode::train).to_host();
  std::int64_t zeros = 0;
  for (float v : y) {
    if (v == 0.f)
      ++zeros;
    else
      ASSERT_FLOAT_EQ(v, 1.25f);
  }
  EXPECT_NEAR(static_cast<double>(zeros) / y.size(), 0.2, 0.003);
  const auto y2 = drop.forward(x, Mode::train).to_host();
  EXPECT_NE(y, y2);                              // a new mask per call
  EXPECT_EQ(&drop.forward(x, Mode::infer), &x);  // identity in inference
}

TEST(Dropout, MaskIsTheDocumentedRandomStream) {
  // dropout.hh: element i dropped where the (i mod 4096)-th uniform() of
  // Rng(seed, call * 2^24 + i / 4096) is below rate; 2 calls. The AVX-512 masks draw 8 chunks
  // at once: 18 chunks and a partial one are two full groups and a group of 3 whose last
  // chunk is partial (1,012 elements: not a multiple of 16).
  Dropout drop(ctx(), "t.drop", {.rate = 0.3f, .seed = 77});
  ParameterStore store;
  const Dims in{1, 1, 10, 74, 101};  // 74,740 elements = 18 x 4,096 + 1,012, plain
  setup(drop, store, in);
  const Tensor x = Tensor::from_host(ctx(), in, std::vector<float>(in.elements(), 1.f));
  for (std::uint64_t call = 0; call < 2; ++call) {
    const auto y = drop.forward(x, Mode::train).to_host();
    std::int64_t dropped = 0;
    for (std::int64_t c = 0; c * 4096 < in.elements(); ++c) {
      Rng rng(77, (call << 24) + static_cast<std::uint64_t>(c));
      for (std::int64_t i = c * 4096; i < std::min<std::int64_t>(in.elements(), (c + 1) * 4096); ++i) {
        const bool drop_it = rng.uniform() < 0.3f;
        dropped += drop_it;
        ASSERT_EQ(y[i], drop_it ? 0.f : 1.f / (1.f - 0.3f)) << "call " << call << ", element " << i;
      }
    }
    EXPECT_GT(dropped, 0);
  }
}

TEST(AveragePool3D, GradientsAndValues) {
  ParameterStore store;
  AveragePool3D pool(ctx(), "t.pool", {});
  const Dims in{2, 2, 5, 4, 3};  // odd sizes: the last plane is dropped ('valid')
  EXPECT_EQ(setup(pool, store, in), (Dims{2, 2, 2, 2, 1}));
  check_gradients(pool, store, in);
  const auto x = iota(in.elements());
  const auto y = pool.forward(Tensor::from_host(ctx(), in, x), Mode::infer).to_host();
  double s = 0;
  for (int d = 0; d < 2; ++d)
    for (int h = 0; h < 2; ++h)
      for (int w = 0; w < 2; ++w) s += x[(d * 4 + h) * 3 + w];
  EXPECT_NEAR(y[0], s / 8, 1e-5);
  EXPECT_EQ(pool.output_dims({1, 16, 23, 23, 23}), (Dims{1, 16, 11, 11, 11}));
  EXPECT_THROW(pool.output_dims({1, 1, 1, 4, 4}), InputError);
}

TEST(CellSum, GradientsAndValues) {
  ParameterStore store;
  CellSum sum(ctx(), "t.sum");
  const Dims in{3, 1, 25, 25, 25};
  setup(sum, store, in);
  check_gradients(sum, store, in);
  const auto x = iota(in.elements());
  const auto y = sum.forward(Tensor::from_host(ctx(), in, x), Mode::infer).to_host();
  const double per = 15625;
  EXPECT_NEAR(y[1], per * (per + (per - 1) / 2), 1e3);
}

TEST(ReshapeFlatten, KerasOrderAndGradients) {
  ParameterStore store;
  Sequential s(ctx(), "t");
  s.emplace<Reshape>("t.reshape", ReshapeSpec{.target = {0, 2, 3, 1, 2}});
  s.emplace<Flatten>("t.flatten");
  const Dims in{2, 12};
  EXPECT_EQ(setup(s, store, in), in);
  check_gradients(s, store, in);
  // Keras: flat index ((d*H + h)*W + w)*C + c  ->  NCDHW [c][d][h][w].
  ParameterStore st2;
  Reshape r(ctx(), "t.r", {.target = {0, 2, 3, 1, 2}});
  setup(r, st2, in);
  const auto x = iota(24);
  const auto y = r.forward(Tensor::from_host(ctx(), in, x), Mode::infer).to_host();
  EXPECT_EQ(y[1 * 6 + 2 * 2 + 0 * 2 + 1], x[((2 * 1 + 0) * 2 + 1) * 2 + 1]);
  EXPECT_THROW(r.output_dims({1, 11}), InputError);
}

TEST(ParameterStore, FlatNamedAndValidated) {
  ParameterStore s;
  EXPECT_EQ(s.add("a.weight", {2, 3}), 0u);
  EXPECT_EQ(s.add("a.bias", {2}), 1u);
  s.add_state("a.moving_mean", {2}, 0.f);
  EXPECT_THROW(s.add("a.bias", {2}), InputError);
  EXPECT_THROW(s.add("b", {0}), InputError);
  s.finalize();
  EXPECT_EQ(s.size(), 8u);
  EXPECT_EQ(s.parameters()[1].offset, 6u);
  EXPECT_EQ(s.value(1).data(), s.values().data() + 6);
  EXPECT_EQ(s.grad(1).data(), s.grads().data() + 6);
  EXPECT_EQ(*s.find("a.bias"), 1u);
  EXPECT_THROW(s.add("c", {1}), InputError);
}

TEST(Layer, ParametersNeedADeclaredFinalizedStoreBeforeInitialiseAndForward) {
  // Calling the layers out of order is a caller's bug (std::logic_error naming the layer),
  // checked once in Layer for every layer with parameters; layers without any need no store.
  Rng rng(1, 0);
  const Dims vol{1, 2, 4, 4, 4}, flat{.n = 1, .c = 3};
  Conv3D c(ctx(), "t.conv", conv(2, {3, 3, 3}));
  Dense d(ctx(), "t.dense", {.units = 2});
  BatchNorm bn(ctx(), "t.bn", {});
  EXPECT_THROW(c.initialise(rng), std::logic_error);
  EXPECT_THROW(c.forward(Tensor::zeros(ctx(), vol), Mode::infer), std::logic_error);
  EXPECT_THROW(d.forward(Tensor::zeros(ctx(), flat), Mode::infer), std::logic_error);
  ParameterStore store;
  bn.declare(vol, store);  // declared, not finalized
  EXPECT_THROW(bn.initialise(rng), std::logic_error);
  EXPECT_THROW(bn.forward(Tensor::zeros(ctx(), vol), Mode::train), std::logic_error);
  store.finalize();
  bn.initialise(rng);
  EXPECT_EQ(bn.forward(Tensor::zeros(ctx(), vol), Mode::train).dims(), vol);
  Eltwise relu(ctx(), "t.relu", EltwiseKind::relu);
  relu.initialise(rng);
  EXPECT_EQ(relu.forward(Tensor::zeros(ctx(), vol), Mode::infer).dims(), vol);
}

TEST(Context, RunsWithItsThreadsAndLeavesTheCallersOpenMpSettingAlone) {
  const int outer = omp_get_max_threads();
  const int caller = 3;  // neither context's count
  omp_set_num_threads(caller);
  Context one(1), two(2);
  EXPECT_EQ(one.threads(), 1);
  EXPECT_EQ(two.threads(), 2);
  EXPECT_EQ(omp_get_max_threads(), caller) << "creating a Context changed the caller's thread count";
  EXPECT_EQ(Context().threads(), caller);  // 0: the creating thread's default
  // The same layer and input on either context: identical outputs and input gradients, and
  // the caller's setting unchanged by forward and backward.
  const Dims in{2, 3, 6, 5, 7};
  const auto run = [&](Context& c) {
    ParameterStore store;
    Conv3DSpec spec = conv(4, {3, 3, 3}, Padding::same);
    spec.activation = Activation::leaky_relu;
    Conv3D layer(c, "t.conv", spec);
    setup(layer, store, in);
    const Tensor x = Tensor::from_host(c, in, iota(in.elements()));
    const Tensor& y = layer.forward(x, Mode::train);
    std::vector<float> out = y.to_host();
    Tensor dy = Tensor::zeros_like(y);
    dy.assign(std::vector<float>(y.dims().elements(), 1.f));
    const std::vector<float> dx = layer.backward(dy)->to_host();
    out.insert(out.end(), dx.begin(), dx.end());
    return out;
  };
  const std::vector<float> on_one = run(one);
  EXPECT_EQ(omp_get_max_threads(), caller);
  EXPECT_EQ(run(two), on_one);
  EXPECT_EQ(omp_get_max_threads(), caller);
  omp_set_num_threads(outer);
}

}  // namespace
}  // namespace calo::nn::test
