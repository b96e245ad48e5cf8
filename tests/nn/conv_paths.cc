#include "conv_paths.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "grad_check.hh"

namespace calo::nn::test {

std::vector<float> normal(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed, 2);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

Conv3DSpec conv(std::int64_t f, std::array<std::int64_t, 3> k, Padding p, Activation a) {
  return {.filters = f, .kernel = k, .padding = p, .activation = a};
}

StepResult train_step(Context& ctx, const Conv3DSpec& spec, const Dims& in, PlanProbe probe,
                      std::int64_t pre_filters, KinkMask kinks) {
  ParameterStore store;
  Conv3D conv(ctx, "t.conv", spec);
  std::optional<Conv3D> pre;
  Dims conv_in = in;
  if (pre_filters > 0) {
    pre.emplace(ctx, "t.pre", Conv3DSpec{.filters = in.c, .kernel = {1, 1, 1}});
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
    x = pre->forward(Tensor::from_host(ctx, pin, normal(pin.elements(), 5)), Mode::infer);
  } else {
    x = Tensor::from_host(ctx, in, normal(in.elements(), 5));
  }
  StepResult r;
  r.selected = probe(conv, x, Mode::train);
  const Tensor& y = conv.forward(x, Mode::train);
  EXPECT_EQ(y.dims(), out);
  r.y = y.to_host();
  Tensor dy = Tensor::zeros_like(y);
  std::vector<float> dys = normal(out.elements(), 6);
  if (kinks.on) {
    const std::vector<float>& ref = kinks.reference ? *kinks.reference : r.y;
    EXPECT_EQ(ref.size(), dys.size());
    float scale = 0;
    for (float v : ref) scale = std::max(scale, std::abs(v));
    for (std::size_t i = 0; i < dys.size() && i < ref.size(); ++i)
      if (std::abs(ref[i]) < 1e-4f * scale) dys[i] = 0.f;
  }
  dy.assign(dys);
  store.zero_grads();
  const Tensor* dx = conv.backward(dy);
  EXPECT_TRUE(dx != nullptr);
  if (!dx) return r;
  EXPECT_EQ(dx->dims(), conv_in);
  EXPECT_EQ(dx->plain(), x.plain()) << "diff_in must have the input's layout";
  r.dx = dx->to_host();
  const auto gw = store.grad(*store.find("t.conv.weight"));
  r.grads.assign(gw.begin(), gw.end());
  if (spec.use_bias) {
    const auto gb = store.grad(*store.find("t.conv.bias"));
    r.grads.insert(r.grads.end(), gb.begin(), gb.end());
  }
  return r;
}

void check_frozen_and_first_layer_backward(Context& ctx, const Conv3DSpec& spec, const Dims& in) {
  ParameterStore store;
  Conv3D layer(ctx, "t.conv", spec);
  setup(layer, store, in);
  const Tensor x = Tensor::from_host(ctx, in, normal(in.elements(), 3));
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

}  // namespace calo::nn::test
