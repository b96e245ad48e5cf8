// Losses (values and finite-difference gradients), optimiser steps against hand-computed
// updates and state round trips, initialiser statistics.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/error.hh"
#include "nn/nn.hh"

namespace calo::nn {
namespace {

using LossFn = std::function<float(std::span<const float>, std::span<const float>, std::span<float>)>;

/// Central differences in double around p (losses are evaluated in double internally).
void check_loss_gradient(const LossFn& f, std::vector<float> p, const std::vector<float>& y) {
  std::vector<float> g(p.size());
  f(p, y, g);
  for (std::size_t i = 0; i < p.size(); ++i) {
    const float p0 = p[i], h = 1e-3f;
    p[i] = p0 + h;
    const double lp = f(p, y, {});
    p[i] = p0 - h;
    const double lm = f(p, y, {});
    p[i] = p0;
    const double num = (lp - lm) / ((p0 + h) - (p0 - h));
    EXPECT_NEAR(g[i], num, 2e-3 * (1 + std::abs(num))) << i;
  }
}

TEST(Losses, BinaryCrossEntropy) {
  const std::vector<float> p = {0.9f, 0.2f, 0.6f, 0.35f}, y = {1, 0, 0, 1};
  double expect = -(std::log(0.9) + std::log(0.8) + std::log(0.4) + std::log(0.35)) / 4;
  EXPECT_NEAR(binary_cross_entropy(p, y), expect, 1e-6);
  check_loss_gradient(binary_cross_entropy, p, y);
  // Clipping: p = 0 with y = 1 costs -log(1e-7), gradient 0 (Keras clips).
  std::vector<float> g(1);
  EXPECT_NEAR(binary_cross_entropy(std::vector<float>{0.f}, std::vector<float>{1.f}, g), -std::log(1e-7),
              1e-4);
  EXPECT_EQ(g[0], 0.f);
  // Flipped labels (0.05 smoothing-like targets) work too.
  check_loss_gradient(binary_cross_entropy, p, {0.95f, 0.05f, 0.f, 1.f});
}

TEST(Losses, MapeAndMae) {
  const std::vector<float> p = {1.1f, 2.5f, 0.3f}, y = {1.f, 2.f, -0.5f};
  EXPECT_NEAR(mean_absolute_percentage_error(p, y), 100.0 * (0.1 + 0.25 + 1.6) / 3, 1e-4);
  EXPECT_NEAR(mean_absolute_error(p, y), (0.1 + 0.5 + 0.8) / 3, 1e-6);
  check_loss_gradient(mean_absolute_percentage_error, p, y);
  check_loss_gradient(mean_absolute_error, p, y);
  EXPECT_THROW(mean_absolute_error(p, std::vector<float>{1.f}), InputError);
}

ParameterStore two_params() {
  ParameterStore s;
  s.add("a", {2});
  s.add("b", {1});
  s.finalize();
  return s;
}

TEST(Optimizers, RMSpropMatchesKerasUpdate) {
  ParameterStore s = two_params();
  std::vector<float> w = {1.f, -2.f, 0.5f}, g1 = {0.1f, -0.4f, 2.f}, g2 = {-0.3f, 0.2f, 0.f};
  std::ranges::copy(w, s.values().begin());
  RMSprop opt(s);
  double v[3] = {0, 0, 0}, ww[3] = {1, -2, 0.5};
  for (auto* g : {&g1, &g2}) {
    std::ranges::copy(*g, s.grads().begin());
    opt.step();
    for (int i = 0; i < 3; ++i) {
      v[i] = 0.9 * v[i] + 0.1 * (*g)[i] * (*g)[i];
      ww[i] -= 1e-3 * (*g)[i] / (std::sqrt(v[i]) + 1e-7);
    }
  }
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.values()[i], ww[i], 1e-6);
  // State by name round trip.
  const auto st = opt.state();
  EXPECT_EQ(st.at("a/rms").size(), 2u);
  EXPECT_NEAR(st.at("b/rms")[0], v[2], 1e-7);
  RMSprop opt2(s);
  opt2.load_state(st);
  EXPECT_EQ(opt2.state(), st);
  auto bad = st;
  bad.erase("a/rms");
  EXPECT_THROW(opt2.load_state(bad), InputError);
}

TEST(Optimizers, AdamMatchesKerasUpdate) {
  ParameterStore s = two_params();
  std::vector<float> g1 = {0.1f, -0.4f, 2.f}, g2 = {-0.3f, 0.2f, 0.f};
  std::ranges::fill(s.values(), 1.f);
  Adam opt(s, 0.01f);
  double m[3] = {}, v[3] = {}, w[3] = {1, 1, 1};
  int t = 0;
  for (auto* g : {&g1, &g2}) {
    std::ranges::copy(*g, s.grads().begin());
    opt.step();
    ++t;
    const double lr_t = 0.01 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
    for (int i = 0; i < 3; ++i) {
      m[i] = 0.9 * m[i] + 0.1 * (*g)[i];
      v[i] = 0.999 * v[i] + 0.001 * (*g)[i] * (*g)[i];
      w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + 1e-7);
    }
  }
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(s.values()[i], w[i], 1e-6);
  EXPECT_EQ(opt.iterations(), 2);
}

struct Moments {
  double mean = 0, var = 0, min = 1e30, max = -1e30;
};

Moments moments(Init init, std::int64_t fan_in, std::int64_t fan_out) {
  std::vector<float> w(200000);
  Rng rng(42, 0);
  initialise(init, w, fan_in, fan_out, rng);
  Moments m;
  for (float x : w) {
    m.mean += x;
    m.min = std::min<double>(m.min, x);
    m.max = std::max<double>(m.max, x);
  }
  m.mean /= w.size();
  for (float x : w) m.var += (x - m.mean) * (x - m.mean);
  m.var /= w.size();
  return m;
}

TEST(Initialisers, KerasStatistics) {
  // Conv3D 6x6x8, 8 -> 64 channels: fan_in 8*288, fan_out 64*288 (Keras receptive field).
  const std::int64_t fi = 8 * 288, fo = 64 * 288;
  const double tol = 0.02;  // relative; 200k samples give ~0.3 % standard error
  Moments he = moments(Init::he_uniform, fi, fo);
  const double lhe = std::sqrt(6.0 / fi);
  EXPECT_NEAR(he.var, lhe * lhe / 3, tol * lhe * lhe / 3);
  EXPECT_LE(he.max, lhe);
  EXPECT_GE(he.min, -lhe);
  EXPECT_NEAR(he.mean, 0, 0.01 * lhe);
  Moments gu = moments(Init::glorot_uniform, fi, fo);
  const double lgu = std::sqrt(6.0 / (fi + fo));
  EXPECT_NEAR(gu.var, lgu * lgu / 3, tol * lgu * lgu / 3);
  EXPECT_LE(gu.max, lgu);
  Moments gn = moments(Init::glorot_normal, fi, fo);
  const double s = std::sqrt(2.0 / (fi + fo));
  // Variance of N(0, s) truncated at 2 s: s^2 (1 - 4 phi(2) / (2 Phi(2) - 1)) = 0.7737 s^2.
  EXPECT_NEAR(gn.var, 0.77372 * s * s, tol * s * s);
  EXPECT_LE(gn.max, 2 * s);
  EXPECT_GE(gn.min, -2 * s);
  EXPECT_NEAR(gn.mean, 0, 0.01 * s);
  Moments z = moments(Init::zeros, 1, 1);
  EXPECT_EQ(z.max, 0);
  EXPECT_EQ(parse_init("glorot_normal"), Init::glorot_normal);
  EXPECT_THROW(parse_init("lecun"), InputError);
}

TEST(Initialisers, Conv3DFansAreKerasStyle) {
  Context ctx(2);
  ParameterStore store;
  Conv3D conv(ctx, "g.conv", {.filters = 64, .kernel = {6, 6, 8}, .kernel_init = Init::he_uniform});
  conv.declare({1, 8, 7, 7, 8}, store);
  store.finalize();
  Rng rng(1, 1);
  conv.initialise(rng);
  float mx = 0;
  for (float v : store.value(0)) mx = std::max(mx, std::abs(v));
  const double limit = std::sqrt(6.0 / (8 * 288));
  EXPECT_LE(mx, limit);
  EXPECT_GT(mx, 0.99 * limit);
  EXPECT_EQ(store.parameters()[0].shape, (std::vector<std::int64_t>{64, 8, 6, 6, 8}));
}

}  // namespace
}  // namespace calo::nn
