// What backward hands a data-parallel trainer (nn/layer.hh): LayerDoneHook reports a layer's
// parameter gradients final, from the layer itself before its data gradient where it can
// (every Conv3D plan, Dense) and again from Sequential after it, and each report comes when
// the gradients are already what backward leaves; GradientFactorSink takes a Dense layer's
// inputs and output gradients instead of its gradient, from which accumulate_dense_gradients
// gives oneDNN's own gradient.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "grad_check.hh"
#include "relative_error.hh"

namespace calo::nn::test {
namespace {

using calo::test::relative_error;

/// Dense -> Reshape (1 channel) -> Conv3D -> UpSampling3D -> Conv3D (the polyphase plan) ->
/// Conv3D -> Flatten -> Dense.
void build(Sequential& s) {
  s.emplace<Dense>("h.dense", DenseSpec{.units = 64});
  s.emplace<Reshape>("h.reshape", ReshapeSpec{.target = {0, 1, 4, 4, 4}});
  s.emplace<Conv3D>("h.thin", Conv3DSpec{.filters = 8, .kernel = {3, 3, 3}, .padding = Padding::same});
  s.emplace<UpSampling3D>("h.up", UpSampling3DSpec{{2, 2, 2}});
  s.emplace<Conv3D>("h.poly", Conv3DSpec{.filters = 8, .kernel = {3, 3, 3}});
  s.emplace<Conv3D>("h.conv", Conv3DSpec{.filters = 8, .kernel = {3, 3, 3}, .padding = Padding::same});
  s.emplace<Flatten>("h.flat");
  s.emplace<Dense>("h.out", DenseSpec{.units = 2});
}

/// The gradients of layer `name`'s parameters in store, in registration order.
std::vector<float> layer_grads(const ParameterStore& store, const std::string& name) {
  std::vector<float> g;
  for (const ParameterInfo& p : store.parameters())
    if (p.name.starts_with(name + "."))
      g.insert(g.end(), store.grads().begin() + static_cast<std::ptrdiff_t>(p.offset),
               store.grads().begin() + static_cast<std::ptrdiff_t>(p.offset + p.size));
  return g;
}

struct Backward {
  std::map<std::string, int> reports;                    // per layer
  std::map<std::string, std::vector<float>> first_seen;  // its gradients at its first report
};

Backward backward_with_hook(Sequential& s, ParameterStore& store, const Tensor& x) {
  Backward b;
  const LayerDoneHook hook = [&](const Layer& l) {
    if (b.reports[l.name()]++ == 0) b.first_seen[l.name()] = layer_grads(store, l.name());
  };
  store.zero_grads();
  const Tensor& y = s.forward(x, Mode::train);
  const Tensor dy = Tensor::from_host(s.context(), y.dims(), normal_values(y.dims().elements(), 5));
  s.backward(dy, {.need_diff_in = false, .layer_done = &hook});
  return b;
}

TEST(LayerDoneHook, EveryConvolutionPlanReportsItsGradientsFinalBeforeItsDataGradient) {
  // h.thin and h.conv take the FFT plan with FFT on (it goes first), the thin-input plan with
  // FFT off and thin on, oneDNN's direct one with both off; h.poly is polyphase in all three.
  for (const auto& [fft, thin] : {std::pair{AlgorithmSwitch::on, AlgorithmSwitch::off},
                                  std::pair{AlgorithmSwitch::off, AlgorithmSwitch::on},
                                  std::pair{AlgorithmSwitch::off, AlgorithmSwitch::off}}) {
    ContextOptions o;
    o.threads = 1;
    o.conv.fft = fft, o.conv.thin = thin;
    Context ctx(o);
    ParameterStore store;
    Sequential s(ctx, "h");
    build(s);
    setup(s, store, {2, 6});
    const Tensor x = Tensor::from_host(ctx, {2, 6, 1, 1, 1}, normal_values(12, 3));
    const Backward b = backward_with_hook(s, store, x);
    for (const char* name : {"h.thin", "h.poly", "h.conv", "h.out"}) {
      // Twice: from the layer, before its data gradient, and from Sequential after it.
      EXPECT_EQ(b.reports.at(name), 2) << name;
      EXPECT_EQ(b.first_seen.at(name), layer_grads(store, name)) << name << ": reported before final";
    }
    // The first layer computes no data gradient: Sequential's report only.
    EXPECT_EQ(b.reports.at("h.dense"), 1);
  }
}

TEST(GradientFactorSink, ATakenDenseGradientIsLeftToTheSinkAndRebuiltExactlyFromItsFactors) {
  Context ctx(1);
  ParameterStore store;
  Sequential s(ctx, "h");
  build(s);
  setup(s, store, {3, 6});
  const Tensor x = Tensor::from_host(ctx, {3, 6, 1, 1, 1}, normal_values(18, 3));
  backward_with_hook(s, store, x);
  const std::vector<float> reference = layer_grads(store, "h.dense"), others = layer_grads(store, "h.conv");

  GradientFactors got;
  std::vector<float> fx, fdy;
  const GradientFactorSink sink = [&](const Layer& l, const GradientFactors& f) {
    if (l.name() != "h.dense") return false;  // h.out keeps its own
    fx.assign(f.x.begin(), f.x.end()), fdy.assign(f.dy.begin(), f.dy.end());
    got = f;
    return true;
  };
  store.zero_grads();
  const Tensor& y = s.forward(x, Mode::train);
  const Tensor dy = Tensor::from_host(ctx, y.dims(), normal_values(y.dims().elements(), 5));
  s.backward(dy, {.need_diff_in = false, .factors = &sink});
  ASSERT_EQ(got.n, 3);
  EXPECT_EQ(got.in, 6);
  EXPECT_EQ(got.out, 64);
  EXPECT_EQ(fx, normal_values(18, 3));  // the layer's input as given to forward
  const std::vector<float> untouched = layer_grads(store, "h.dense");
  EXPECT_TRUE(std::ranges::all_of(untouched, [](float g) { return g == 0; }));
  EXPECT_EQ(layer_grads(store, "h.conv"), others);  // other layers as before

  // weight [64][6] then bias [64], from the factors: oneDNN's gradient to rounding.
  std::vector<float> dw(64 * 6, 0.f), db(64, 0.f);
  accumulate_dense_gradients({.x = fx, .dy = fdy, .n = 3, .in = 6, .out = 64}, 1.f, dw, db);
  std::vector<float> rebuilt = dw;
  rebuilt.insert(rebuilt.end(), db.begin(), db.end());
  EXPECT_LT(relative_error(rebuilt, reference), 1e-6);
}

TEST(AccumulateDenseGradients, AddsTheScaledSumOverRowsToWhatIsThere) {
  // Two rows by hand: dw[o][i] += s (dy0[o] x0[i] + dy1[o] x1[i]), db[o] += s (dy0[o] + dy1[o]).
  const std::vector<float> x = {1, 2, 3, -1, 0, 2}, dy = {2, -1, 4, 1};  // n 2, in 3, out 2
  std::vector<float> dw(6, 1.f), db(2, 0.5f);
  accumulate_dense_gradients({.x = x, .dy = dy, .n = 2, .in = 3, .out = 2}, 0.5f, dw, db);
  const std::vector<float> w = {1 + 0.5f * (2 * 1 + 4 * -1), 1 + 0.5f * (2 * 2 + 4 * 0),
                                1 + 0.5f * (2 * 3 + 4 * 2),  1 + 0.5f * (-1 * 1 + 1 * -1),
                                1 + 0.5f * (-1 * 2 + 1 * 0), 1 + 0.5f * (-1 * 3 + 1 * 2)};
  EXPECT_EQ(dw, w);
  EXPECT_EQ(db, (std::vector<float>{0.5f + 0.5f * 6, 0.5f + 0.5f * 0}));
}

}  // namespace
}  // namespace calo::nn::test
