// Conv3D's thin-input plan (src/nn/conv3d_thin_input.hh: the data gradient through a
// convolution with the H, W kernel taps folded into channels) against oneDNN's direct
// convolution (CALO_NN_CONV_THIN=off): forward output, input gradient, weight and bias
// gradients on the discriminator's first convolution and on odd shapes; finite differences;
// the automatic choice and the environment switch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "core/error.hh"
#include "grad_check.hh"
#include "nn/conv3d_thin_input.hh"

namespace calo::nn::test {
namespace {

Context& ctx() {
  static Context c(2);  // two threads: the unfolding of the data gradient runs in parallel
  return c;
}

/// Sets CALO_NN_CONV_THIN for its lifetime (plans are built at the first forward).
class ThinSwitch {
 public:
  explicit ThinSwitch(const char* value) {
    if (const char* old = std::getenv(kName)) old_ = old;
    if (value)
      setenv(kName, value, 1);
    else
      unsetenv(kName);
  }
  ~ThinSwitch() {
    if (old_)
      setenv(kName, old_->c_str(), 1);
    else
      unsetenv(kName);
  }
  ThinSwitch(const ThinSwitch&) = delete;
  ThinSwitch& operator=(const ThinSwitch&) = delete;

 private:
  static constexpr const char* kName = "CALO_NN_CONV_THIN";
  std::optional<std::string> old_;
};

struct Result {
  std::vector<float> y, dx, grads;
  bool thin = false;
};

std::vector<float> normal(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed, 2);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

/// Train forward + backward of a fresh layer (same seeded parameters every time) under the
/// policy `thin` ("off" / "on" / nullptr = auto). With pre_filters > 0 the input comes from
/// a 1x1x1 convolution first (pre_filters -> in.c channels: oneDNN's blocked layout), and
/// its gradient is checked for that layout.
Result train_step(const Conv3DSpec& spec, const Dims& in, const char* thin,
                  std::int64_t pre_filters = 0) {
  ThinSwitch sw(thin);
  ParameterStore store;
  Conv3D conv(ctx(), "t.conv", spec);
  std::optional<Conv3D> pre;
  Dims conv_in = in;
  if (pre_filters > 0) {
    pre.emplace(ctx(), "t.pre", Conv3DSpec{.filters = in.c, .kernel = {1, 1, 1}});
    conv_in = pre->declare({in.n, pre_filters, in.d, in.h, in.w}, store);
  }
  const Dims out = conv.declare(conv_in, store);
  store.finalize();
  Rng rng(11, 0);
  if (pre) pre->initialise(rng);
  conv.initialise(rng);
  for (float& v : store.values()) v += static_cast<float>(0.1 * rng.normal());

  Tensor x;
  if (pre) {
    const Dims pin{in.n, pre_filters, in.d, in.h, in.w};
    x = pre->forward(Tensor::from_host(ctx(), pin, normal(pin.elements(), 5)), Mode::infer);
  } else {
    x = Tensor::from_host(ctx(), in, normal(in.elements(), 5));
  }
  Result r;
  r.thin = thin_input_selected(conv, x, Mode::train);
  const Tensor& y = conv.forward(x, Mode::train);
  EXPECT_EQ(y.dims(), out);
  r.y = y.to_host();
  Tensor dy = Tensor::zeros_like(y);
  dy.assign(normal(out.elements(), 6));
  store.zero_grads();
  const Tensor* dx = conv.backward(dy);
  EXPECT_TRUE(dx != nullptr);
  if (!dx) return r;
  EXPECT_EQ(dx->dims(), conv_in);
  EXPECT_EQ(dx->plain(), x.plain()) << "diff_in must have the input's layout";
  r.dx = dx->to_host();
  const std::size_t w = *store.find("t.conv.weight");
  const auto gw = store.grad(w);
  r.grads.assign(gw.begin(), gw.end());
  if (spec.use_bias) {
    const auto gb = store.grad(*store.find("t.conv.bias"));
    r.grads.insert(r.grads.end(), gb.begin(), gb.end());
  }
  return r;
}

/// max |a - b| / max |b|
double rel_error(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double err = 0, scale = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    err = std::max(err, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return scale > 0 ? err / scale : err;
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
  const Result direct = train_step(c.spec, c.in, "off", c.pre_filters);
  const Result thin = train_step(c.spec, c.in, "on", c.pre_filters);
  EXPECT_FALSE(direct.thin) << c.label;
  EXPECT_TRUE(thin.thin) << c.label << ": the thin-input plan was not used";
  EXPECT_LT(rel_error(thin.y, direct.y), 1e-5) << c.label << " (forward)";
  EXPECT_LT(rel_error(thin.dx, direct.dx), 1e-5) << c.label << " (input gradient)";
  EXPECT_LT(rel_error(thin.grads, direct.grads), 1e-5) << c.label << " (weight/bias gradients)";
}

Conv3DSpec conv(std::int64_t f, std::array<std::int64_t, 3> k, Padding p = Padding::valid,
                Activation a = Activation::none) {
  return {.filters = f, .kernel = k, .padding = p, .activation = a};
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ThinInputMatchesDirect,
    testing::Values(
        // Batch 3: 2 MB of folded gradient per sample, so one sample per folded call.
        ThinCase{"D conv1: 1 -> 32, 5^3 same, LeakyReLU, 25^3", {3, 1, 25, 25, 25},
                 conv(32, {5, 5, 5}, Padding::same, Activation::leaky_relu)},
        ThinCase{"IC 3, 5^3 valid, no activation", {2, 3, 9, 8, 7}, conv(5, {5, 5, 5})},
        ThinCase{"IC 1, 3x4x2 same (back pad 2/1), LeakyReLU", {3, 1, 6, 7, 9},
                 conv(4, {3, 4, 2}, Padding::same, Activation::leaky_relu)},
        ThinCase{"IC 3, 3x4x2 valid, ReLU", {2, 3, 5, 6, 7},
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
                 {2, 3, 7, 6, 5}, conv(16, {3, 3, 3}, Padding::same), 4},
        ThinCase{"IC 4, kernel 2x1x1 (KH*KW < 2: forced only)", {2, 4, 6, 5, 4},
                 conv(8, {2, 1, 1})}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(ThinInput, FiniteDifferences) {
  struct Case {
    Dims in;
    Conv3DSpec spec;
    const char* policy;
  } cases[] = {
      {{2, 1, 9, 8, 7}, conv(6, {5, 5, 5}, Padding::same, Activation::leaky_relu), nullptr},
      {{2, 3, 5, 6, 7}, conv(4, {3, 4, 2}, Padding::valid), "on"},
  };
  for (const auto& c : cases) {
    ThinSwitch sw(c.policy);
    ParameterStore store;
    Conv3D layer(ctx(), "t.conv", c.spec);
    setup(layer, store, c.in);
    EXPECT_TRUE(thin_input_selected(layer, Tensor::zeros(ctx(), c.in), Mode::train));
    check_gradients(layer, store, c.in);
  }
}

TEST(ThinInput, AutomaticChoiceAndSwitch) {
  const Conv3DSpec d1 = conv(32, {5, 5, 5}, Padding::same, Activation::leaky_relu);
  EXPECT_TRUE(thin_input_pays(d1, {8, 1, 25, 25, 25}));
  EXPECT_TRUE(thin_input_pays(d1, {8, 4, 25, 25, 25}));
  EXPECT_FALSE(thin_input_pays(d1, {8, 16, 25, 25, 25}));  // oneDNN's direct kernels are fast
  EXPECT_FALSE(thin_input_pays(conv(8, {3, 1, 1}), {8, 1, 25, 25, 25}));  // nothing to fold

  ParameterStore store;
  Conv3D layer(ctx(), "t.conv", d1);
  const Dims in{1, 1, 25, 25, 25};
  setup(layer, store, in);
  const Tensor x = Tensor::zeros(ctx(), in);
  {
    ThinSwitch sw(nullptr);
    EXPECT_EQ(thin_input_policy(), ThinInputPolicy::automatic);
    EXPECT_TRUE(thin_input_selected(layer, x, Mode::train));
    EXPECT_FALSE(thin_input_selected(layer, x, Mode::infer));  // same forward either way
  }
  {
    ThinSwitch sw("off");
    EXPECT_EQ(thin_input_policy(), ThinInputPolicy::off);
    EXPECT_FALSE(thin_input_selected(layer, x, Mode::train));
  }
  {
    ThinSwitch sw("sometimes");
    EXPECT_THROW(thin_input_policy(), InputError);
  }
}

TEST(ThinInput, FrozenAndFirstLayerBackward) {
  // Weight gradients off (the frozen discriminator of a generator update): only diff_in;
  // need_diff_in off (first layer of a discriminator update): only the weight gradients.
  const Conv3DSpec spec = conv(8, {5, 5, 5}, Padding::same, Activation::leaky_relu);
  const Dims in{2, 1, 7, 6, 5};
  ThinSwitch sw("on");
  ParameterStore store;
  Conv3D layer(ctx(), "t.conv", spec);
  setup(layer, store, in);
  const Tensor x = Tensor::from_host(ctx(), in, normal(in.elements(), 3));
  const Tensor& y = layer.forward(x, Mode::train);
  Tensor dy = Tensor::zeros_like(y);
  dy.assign(normal(y.dims().elements(), 4));
  store.zero_grads();
  const std::vector<float> dx_full = layer.backward(dy)->to_host();
  const std::vector<float> g_full(store.grads().begin(), store.grads().end());

  store.zero_grads();
  layer.set_frozen(true);
  const Tensor* dx = layer.backward(dy);
  ASSERT_NE(dx, nullptr);
  EXPECT_EQ(dx->to_host(), dx_full);
  for (float g : store.grads()) ASSERT_EQ(g, 0.f);

  layer.set_frozen(false);
  EXPECT_EQ(layer.backward(dy, {.need_diff_in = false}), nullptr);
  EXPECT_EQ(std::vector<float>(store.grads().begin(), store.grads().end()), g_full);
}

}  // namespace
}  // namespace calo::nn::test
