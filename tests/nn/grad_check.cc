#include "grad_check.hh"

#include <gtest/gtest.h>

#include <cmath>

namespace calo::nn::test {

Dims setup(Layer& layer, ParameterStore& store, const Dims& in, std::uint64_t seed) {
  const Dims out = layer.declare(in, store);
  store.finalize();
  Rng rng(seed, 0);
  layer.initialise(rng);
  // Non-trivial gamma/beta/bias too (initialisers give 1/0 there).
  for (float& v : store.values()) v += static_cast<float>(0.1 * rng.normal());
  return out;
}

namespace {

double loss(Layer& layer, const Tensor& x, const std::vector<float>& r, const GradCheckOptions& opt) {
  if (opt.before_forward) opt.before_forward();
  const std::vector<float> y = layer.forward(x, Mode::train).to_host();
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * r[i];
  return s;
}

/// Compare analytic gradients g[idx] with central differences of perturbing value(i).
void probe(const char* what, std::span<float> values, std::span<const float> grads,
           const std::function<double()>& eval, const GradCheckOptions& opt, Rng& rng) {
  double rms = 0;
  for (float g : grads) rms += static_cast<double>(g) * g;
  rms = std::sqrt(rms / grads.size());
  if (rms == 0) rms = 1;
  int skipped = 0, n = 0;
  const int probes = std::min<int>(opt.probes, values.size());
  for (int k = 0; k < probes; ++k) {
    const std::size_t i = probes == static_cast<int>(values.size())
                              ? k
                              : static_cast<std::size_t>(rng.uniform() * values.size());
    const float v0 = values[i];
    const double l0 = eval();
    values[i] = v0 + static_cast<float>(opt.h);
    const double lp = eval();
    values[i] = v0 - static_cast<float>(opt.h);
    const double lm = eval();
    values[i] = v0;
    const double hp = (v0 + static_cast<float>(opt.h)) - v0, hm = v0 - (v0 - static_cast<float>(opt.h));
    const double sp = (lp - l0) / hp, sm = (l0 - lm) / hm;
    if (std::abs(sp - sm) > 0.2 * rms + 0.1 * std::abs(sp + sm)) {
      ++skipped;
      continue;
    }
    const double num = (lp - lm) / (hp + hm);
    ++n;
    EXPECT_NEAR(grads[i], num, opt.tol * rms) << what << "[" << i << "]";
  }
  EXPECT_LE(skipped, probes / 3) << what << ": too many probes at kinks";
  EXPECT_GT(n, 0) << what;
}

}  // namespace

void check_gradients(Layer& layer, ParameterStore& store, const Dims& in, const GradCheckOptions& opt) {
  Context& ctx = layer.context();
  Rng rng(opt.seed, 1);
  std::vector<float> xs(in.elements());
  for (float& v : xs) v = static_cast<float>(rng.normal());
  Tensor x = Tensor::from_host(ctx, in, xs);

  if (opt.before_forward) opt.before_forward();
  const Tensor& y = layer.forward(x, Mode::train);
  std::vector<float> r(y.dims().elements());
  for (float& v : r) v = static_cast<float>(rng.normal());
  Tensor dy = Tensor::zeros_like(y);
  dy.assign(r);
  store.zero_grads();
  const Tensor* dx = layer.backward(dy);
  ASSERT_TRUE(dx != nullptr);
  ASSERT_EQ(dx->dims(), in);
  const std::vector<float> gx = dx->to_host();
  const std::vector<float> gw(store.grads().begin(), store.grads().end());

  if (opt.check_input) {
    auto eval = [&] {
      x.assign(xs);
      return loss(layer, x, r, opt);
    };
    probe("d/dinput", xs, gx, eval, opt, rng);
  }
  if (opt.check_params) {
    for (std::size_t p = 0; p < store.parameters().size(); ++p) {
      const auto& info = store.parameters()[p];
      auto eval = [&] { return loss(layer, x, r, opt); };
      x.assign(xs);
      probe(info.name.c_str(), store.value(p), std::span<const float>(gw).subspan(info.offset, info.size),
            eval, opt, rng);
    }
  }
}

std::vector<float> normal_values(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed, 0);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

}  // namespace calo::nn::test
