// What a GAN trainer needs besides plain gradients: backward given a diff in another
// layout (reordered) or of other dims (refused, naming the layer); device-side tensor
// copy/add; the frozen mode (Keras trainable=False: BatchNorm on its moving statistics,
// weight gradients off, Dropout active); exact 64-bit optimiser step counts; settable
// Dropout mask streams for resumed runs.
#include <gtest/gtest.h>

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

std::vector<float> normal(std::int64_t n, std::uint64_t seed) {
  std::vector<float> v(n);
  Rng rng(seed, 0);
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

void expect_close(const std::vector<float>& a, const std::vector<float>& b, double tol, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], tol * (1 + std::abs(b[i]))) << what << "[" << i << "]";
}

/// A tensor of dims (2, 16, 3, 3, 3) in the blocked layout a 16-filter convolution picks
/// (nCdhw16c / nCdhw8c); plain on a CPU where oneDNN chooses no blocking.
Tensor blocked_16(ParameterStore& store, Conv3D& conv) {
  setup(conv, store, {2, 3, 4, 4, 4});
  return conv.forward(Tensor::from_host(ctx(), {2, 3, 4, 4, 4}, normal(2 * 3 * 64, 1)), Mode::train);
}

// Gap 1: a plain diff for a blocked output (and a blocked diff for a plain output) used to
// be read with the wrong layout (out of bounds inside oneDNN); now it is reordered.
TEST(BackwardContract, DiffInAnotherLayoutIsReordered) {
  ParameterStore cs;
  Conv3D conv(ctx(), "t.conv", {.filters = 16, .kernel = {2, 2, 2}});
  const Tensor y = blocked_16(cs, conv);
  if (y.plain()) GTEST_SKIP() << "oneDNN chose a plain layout here: nothing to reorder";
  const Dims od = y.dims();
  const std::vector<float> r = normal(od.elements(), 2);

  // Blocked output, plain diff (Tensor::from_host, what a trainer naturally passes).
  Tensor dy_blocked = Tensor::zeros_like(y);
  dy_blocked.assign(r);
  cs.zero_grads();
  const std::vector<float> gx_ref = conv.backward(dy_blocked)->to_host();
  const std::vector<float> gw_ref(cs.grads().begin(), cs.grads().end());
  cs.zero_grads();
  const std::vector<float> gx = conv.backward(Tensor::from_host(ctx(), od, r))->to_host();
  expect_close(gx, gx_ref, 1e-6, "conv diff_in from a plain diff");
  expect_close({cs.grads().begin(), cs.grads().end()}, gw_ref, 1e-6, "conv weight grads from a plain diff");

  // Plain output (BatchNorm and Dropout keep their plain input's layout), blocked diff.
  for (int kind = 0; kind < 2; ++kind) {
    ParameterStore bs;
    std::unique_ptr<Layer> l;
    if (kind == 0)
      l = std::make_unique<BatchNorm>(ctx(), "t.bn");
    else
      l = std::make_unique<Dropout>(ctx(), "t.drop", DropoutSpec{.rate = 0.3f});
    setup(*l, bs, od);
    const Tensor& out = l->forward(Tensor::from_host(ctx(), od, normal(od.elements(), 3)), Mode::train);
    ASSERT_TRUE(out.plain());
    bs.zero_grads();
    const std::vector<float> ref = l->backward(Tensor::from_host(ctx(), od, r))->to_host();
    const std::vector<float> wref(bs.grads().begin(), bs.grads().end());
    bs.zero_grads();
    const std::vector<float> got = l->backward(dy_blocked)->to_host();
    expect_close(got, ref, 1e-6, l->name().c_str());
    expect_close({bs.grads().begin(), bs.grads().end()}, wref, 1e-6, l->name().c_str());
  }
}

TEST(BackwardContract, DiffOfOtherDimsIsRefusedNamingTheLayer) {
  ParameterStore store;
  Sequential s(ctx(), "s");
  s.emplace<Conv3D>("s.conv", Conv3DSpec{.filters = 16, .kernel = {2, 2, 2}});
  s.emplace<BatchNorm>("s.bn");
  setup(s, store, {2, 3, 4, 4, 4});
  const Tensor& y = s.forward(Tensor::from_host(ctx(), {2, 3, 4, 4, 4}, normal(384, 1)), Mode::train);
  ASSERT_EQ(y.dims(), (Dims{2, 16, 3, 3, 3}));
  for (Dims bad : {Dims{2, 16, 3, 3, 2}, Dims{1, 16, 3, 3, 3}, Dims{2, 8, 3, 3, 3}}) {
    try {
      s.backward(Tensor::zeros(ctx(), bad));
      FAIL() << "no error for diff dims " << to_string(bad);
    } catch (const std::logic_error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("s.bn"), std::string::npos) << msg;
      EXPECT_NE(msg.find(to_string(bad)), std::string::npos) << msg;
    }
  }
  EXPECT_THROW(s.backward(Tensor()), std::logic_error);
  // The layer still works after a refused call.
  EXPECT_EQ(s.backward(Tensor::zeros(ctx(), y.dims()))->dims(), (Dims{2, 3, 4, 4, 4}));
}

TEST(TensorOps, CopyAndAddAcrossLayouts) {
  ParameterStore cs;
  Conv3D conv(ctx(), "t.conv", {.filters = 16, .kernel = {2, 2, 2}});
  const Tensor y = blocked_16(cs, conv);
  const Dims d = y.dims();
  const std::vector<float> a = normal(d.elements(), 5), b = normal(d.elements(), 6);
  Tensor blocked = Tensor::zeros_like(y);
  Tensor plain = Tensor::from_host(ctx(), d, a);
  blocked.copy_from(plain);
  EXPECT_EQ(blocked.to_host(), a);
  blocked.add_from(Tensor::from_host(ctx(), d, b));
  plain.copy_from(blocked);
  plain.add_from(blocked);
  const std::vector<float> got = plain.to_host();
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_FLOAT_EQ(got[i], 2 * (a[i] + b[i]));
  Tensor other = Tensor::zeros(ctx(), {2, 16, 3, 3, 2});
  EXPECT_THROW(other.copy_from(plain), InputError);
  EXPECT_THROW(other.add_from(plain), InputError);
}

/// BatchNorm with non-trivial gamma/beta and moving statistics.
void setup_bn(BatchNorm& bn, ParameterStore& store, const Dims& in) {
  setup(bn, store, in);
  Rng rng(17, 0);
  for (float& m : store.state(0)) m = static_cast<float>(0.5 * rng.normal());
  for (float& v : store.state(1)) v = static_cast<float>(0.3 + rng.uniform());
}

// Gap 3: frozen BatchNorm = inference normalisation inside a training pass.
TEST(FrozenBatchNorm, ForwardUsesAndKeepsMovingStatistics) {
  for (Dims in : {Dims{4, 3, 2, 3, 2}, Dims{2, 16, 3, 3, 3}}) {
    ParameterStore store;
    BatchNorm bn(ctx(), "t.bn");
    setup_bn(bn, store, in);
    const std::vector<float> mm(store.state(0).begin(), store.state(0).end());
    const std::vector<float> mv(store.state(1).begin(), store.state(1).end());
    const Tensor x = Tensor::from_host(ctx(), in, normal(in.elements(), 4));
    const std::vector<float> ref = bn.forward(x, Mode::infer).to_host();
    bn.set_frozen(true);
    EXPECT_TRUE(bn.frozen());
    EXPECT_FALSE(bn.weight_grads());
    const std::vector<float> y = bn.forward(x, Mode::train).to_host();
    expect_close(y, ref, 1e-6, "frozen train forward vs infer");
    EXPECT_EQ(std::vector<float>(store.state(0).begin(), store.state(0).end()), mm);
    EXPECT_EQ(std::vector<float>(store.state(1).begin(), store.state(1).end()), mv);

    // Backward: diff_x = diff_y gamma / sqrt(mv + eps) exactly; no gamma/beta grads.
    const std::vector<float> r = normal(in.elements(), 8);
    store.zero_grads();
    const std::vector<float> dx = bn.backward(Tensor::from_host(ctx(), in, r))->to_host();
    const std::int64_t plane = in.d * in.h * in.w;
    for (std::int64_t i = 0; i < in.elements(); ++i) {
      const std::int64_t c = (i / plane) % in.c;
      const double expect = r[i] * store.value(0)[c] / std::sqrt(static_cast<double>(mv[c]) + 1e-3);
      ASSERT_NEAR(dx[i], expect, 1e-5 * (1 + std::abs(expect))) << i;
    }
    for (float g : store.grads()) ASSERT_EQ(g, 0.f);

    // Unfrozen again: batch statistics and moving-statistics updates are back.
    bn.set_frozen(false);
    EXPECT_TRUE(bn.weight_grads());
    bn.forward(x, Mode::train);
    EXPECT_NE(std::vector<float>(store.state(0).begin(), store.state(0).end()), mm);
  }
}

TEST(FrozenBatchNorm, FiniteDifferenceGradients) {
  for (Dims in : {Dims{4, 3, 2, 3, 2}, Dims{2, 16, 3, 3, 3}}) {
    ParameterStore store;
    BatchNorm bn(ctx(), "t.bn");
    setup_bn(bn, store, in);
    bn.set_frozen(true);
    bn.set_weight_grads(true);  // gamma/beta gradients of the frozen map too
    const std::vector<float> mm(store.state(0).begin(), store.state(0).end());
    check_gradients(bn, store, in);
    EXPECT_EQ(std::vector<float>(store.state(0).begin(), store.state(0).end()), mm);
  }
}

// The same on the blocked layout a convolution leaves, through Sequential::set_frozen
// (the frozen discriminator's trunk), with Dropout still active.
TEST(FrozenSequential, BlockedChainGradientsStatisticsAndDropout) {
  ParameterStore store;
  Sequential s(ctx(), "f");
  s.emplace<Conv3D>("f.conv", Conv3DSpec{.filters = 16, .kernel = {2, 2, 2}});
  s.emplace<LeakyReLU>("f.lrelu");
  s.emplace<BatchNorm>("f.bn");
  auto& drop = s.emplace<Dropout>("f.drop", DropoutSpec{.rate = 0.5f, .seed = 3});
  s.emplace<AveragePool3D>("f.pool", AveragePool3DSpec{});
  s.emplace<Flatten>("f.flat");
  s.emplace<Dense>("f.out", DenseSpec{.units = 3});
  const Dims in{3, 2, 5, 5, 5};
  setup(s, store, in);
  Rng rng(5, 5);
  for (float& v : store.state(1)) v = static_cast<float>(0.5 + rng.uniform());
  const std::vector<float> mv(store.state(1).begin(), store.state(1).end());

  s.set_frozen(true);
  for (std::size_t i = 0; i < s.size(); ++i) {
    EXPECT_TRUE(s.layer(i).frozen());
    EXPECT_FALSE(s.layer(i).weight_grads());
  }
  // Dropout stays active: two training forwards with different masks differ.
  const Tensor x = Tensor::from_host(ctx(), in, normal(in.elements(), 9));
  const std::vector<float> y1 = s.forward(x, Mode::train).to_host();
  const std::vector<float> y2 = s.forward(x, Mode::train).to_host();
  EXPECT_NE(y1, y2);
  EXPECT_EQ(drop.counter(), 2u);

  // Only the data gradient (weights off), checked by finite differences.
  GradCheckOptions opt;
  opt.check_params = false;
  opt.before_forward = [&] { drop.set_seed(3); };
  check_gradients(s, store, in, opt);
  for (float g : store.grads()) ASSERT_EQ(g, 0.f);
  // With weight gradients back on (BatchNorm still frozen) every gradient is right.
  s.set_weight_grads(true);
  check_gradients(s, store, in, {.before_forward = [&] { drop.set_seed(3); }});
  EXPECT_EQ(std::vector<float>(store.state(1).begin(), store.state(1).end()), mv);

  s.set_frozen(false);
  s.forward(x, Mode::train);
  EXPECT_NE(std::vector<float>(store.state(1).begin(), store.state(1).end()), mv);
}

// Gap 2: the step count is an exact int64 (a float state entry was inexact above 2^24).
TEST(Optimizers, StepCountIsExactAbove2To24) {
  ParameterStore s;
  s.add("a", {3});
  s.finalize();
  const std::int64_t big = (std::int64_t{1} << 24) + 1;  // not representable as float
  for (int kind = 0; kind < 2; ++kind) {
    std::unique_ptr<Optimizer> opt, copy;
    if (kind == 0)
      opt = std::make_unique<RMSprop>(s), copy = std::make_unique<RMSprop>(s);
    else
      opt = std::make_unique<Adam>(s), copy = std::make_unique<Adam>(s);
    opt->set_iterations(big);
    opt->step();
    EXPECT_EQ(opt->iterations(), big + 1);
    EXPECT_EQ(opt->state().count("iterations"), 0u);  // slots only
    copy->load_state(opt->state());
    EXPECT_EQ(copy->iterations(), 0);  // load_state leaves the count alone
    copy->set_iterations(opt->iterations());
    EXPECT_EQ(copy->iterations(), big + 1);
    EXPECT_THROW(copy->set_iterations(-1), InputError);
  }
}

// Gap 4: a Dropout's mask stream can be read and restored mid-sequence.
TEST(Dropout, MaskStreamResumesFromSeedAndCounter) {
  ParameterStore store;
  Dropout a(ctx(), "t.a", {.rate = 0.3f, .seed = 11}), b(ctx(), "t.b", {.rate = 0.3f, .seed = 99});
  const Dims in{2, 3, 10, 10, 10};
  setup(a, store, in);
  ParameterStore store_b;
  setup(b, store_b, in);
  const Tensor x = Tensor::from_host(ctx(), in, std::vector<float>(in.elements(), 1.f));
  EXPECT_EQ(a.seed(), 11u);
  EXPECT_EQ(a.counter(), 0u);
  for (int i = 0; i < 3; ++i) a.forward(x, Mode::train);
  a.forward(x, Mode::infer);  // inference draws nothing
  EXPECT_EQ(a.counter(), 3u);
  b.set_seed(a.seed(), a.counter());  // the resumed run
  for (int i = 0; i < 2; ++i) {
    const std::vector<float> ya = a.forward(x, Mode::train).to_host();
    EXPECT_EQ(b.forward(x, Mode::train).to_host(), ya) << "forward " << i << " after resuming";
  }
  EXPECT_EQ(b.counter(), 5u);
  b.set_seed(11);  // counter 0: the first mask again, not the fourth
  const std::vector<float> first = b.forward(x, Mode::train).to_host();
  a.set_seed(11, 3);
  EXPECT_NE(a.forward(x, Mode::train).to_host(), first);
}

}  // namespace
}  // namespace calo::nn::test
