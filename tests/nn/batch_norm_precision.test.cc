// Training-mode BatchNorm in double precision (src/nn/batch_norm_backward.hh): the batch
// statistics and the backward reductions (sum dy, sum dy x_hat) are accumulated in double,
// as PyTorch's CPU BatchNorm does. Pinned against a straightforward double implementation
// on ill-conditioned channels (a large common offset of x and of dy), where float32
// accumulation over ~10^4 elements a channel loses the digits the tolerances ask for
// (oneDNN's float32 BatchNorm misses each of them, by 2x to 10^6x: see expect_double_accuracy); on
// the layouts tensors arrive in (plain, blocked with and without padded channels after a
// convolution, channels last and blocked through the kernels directly); bit-identical for
// 1 and 2 threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "grad_check.hh"
#include "nn/batch_norm_backward.hh"
#include "relative_error.hh"

namespace calo::nn::test {
namespace {

using calo::test::relative_error;

Context& ctx() {
  static Context c;
  return c;
}

/// Reference BatchNorm on plain [N][C][S] data, everything in double.
struct Reference {
  Reference(std::int64_t n, std::int64_t c, std::int64_t s, const std::vector<float>& x,
            const std::vector<float>& dy, const std::vector<float>& gamma, const std::vector<float>& beta,
            double eps = 1e-3f)
      : y(x.size()), dx(x.size()), dgamma(c), dbeta(c), mean(c), var(c) {
    const double m = static_cast<double>(n * s);
    auto at = [&](std::int64_t i, std::int64_t k, std::int64_t j) { return (i * c + k) * s + j; };
    for (std::int64_t k = 0; k < c; ++k) {
      double sum = 0, sq = 0, sdy = 0, sdyx = 0;
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < s; ++j) sum += x[at(i, k, j)];
      mean[k] = sum / m;
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < s; ++j) sq += (x[at(i, k, j)] - mean[k]) * (x[at(i, k, j)] - mean[k]);
      var[k] = sq / m;
      const double inv = 1 / std::sqrt(var[k] + eps);
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < s; ++j) {
          const auto e = at(i, k, j);
          const double xh = (x[e] - mean[k]) * inv;
          y[e] = gamma[k] * xh + beta[k];
          sdy += dy[e];
          sdyx += dy[e] * xh;
        }
      dgamma[k] = sdyx;
      dbeta[k] = sdy;
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < s; ++j) {
          const auto e = at(i, k, j);
          dx[e] = gamma[k] * inv * (dy[e] - sdy / m - (x[e] - mean[k]) * inv * sdyx / m);
        }
    }
  }
  std::vector<double> y, dx, dgamma, dbeta, mean, var;
};

/// What a conv bias gradient through a LeakyReLU (alpha 0.3) sees: per channel
/// sum diff_x * f'(x), f' = 1 above the channel's mean, 0.3 below. It cancels to a small
/// fraction of its terms (sum diff_x = 0 exactly), like discriminator/conv4/bias of the
/// 3dgan-v1 cross-check.
std::vector<double> bias_like(std::int64_t n, std::int64_t c, std::int64_t s, const std::vector<float>& x,
                              const std::vector<double>& mean, const auto& dx) {
  std::vector<double> out(c);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t k = 0; k < c; ++k)
      for (std::int64_t j = 0; j < s; ++j) {
        const auto e = (i * c + k) * s + j;
        out[k] += static_cast<double>(dx[e]) * (x[e] > mean[k] ? 1.0 : 0.3);
      }
  return out;
}

struct Data {
  std::vector<float> x, dy, gamma, beta;
};

/// x = offset_c + N(0, 1) (offsets up to 300 sigma), dy = 2 + N(0, 0.05): the means of x
/// and dy dominate their channels.
Data ill_conditioned(std::int64_t n, std::int64_t c, std::int64_t s, std::uint64_t seed = 5) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  Data d;
  d.x.resize(n * c * s);
  d.dy.resize(d.x.size());
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t k = 0; k < c; ++k)
      for (std::int64_t j = 0; j < s; ++j) {
        const auto e = (i * c + k) * s + j;
        d.x[e] = static_cast<float>((k % 3 == 0 ? 300.0 : k % 3 == 1 ? -40.0 : 0.5) + normal(gen));
        d.dy[e] = static_cast<float>(2.0 + 0.05 * normal(gen));
      }
  for (std::int64_t k = 0; k < c; ++k) {
    d.gamma.push_back(static_cast<float>(0.5 + 0.1 * k));
    d.beta.push_back(static_cast<float>(0.2 - 0.05 * k));
  }
  return d;
}

struct Errors {
  double y, dx, dgamma, dbeta, bias;
};

/// Forward (train) + backward of bn (declared in store, gamma/beta at indices ig/ib) on
/// x_in (any layout; x its plain values), against the reference.
Errors run_layer(BatchNorm& bn, ParameterStore& store, const Tensor& x_in, const Data& d) {
  const Dims dims = x_in.dims();
  const std::int64_t s = dims.d * dims.h * dims.w;
  const auto ig = *store.find(bn.name() + ".gamma"), ib = *store.find(bn.name() + ".beta");
  std::ranges::copy(d.gamma, store.value(ig).begin());
  std::ranges::copy(d.beta, store.value(ib).begin());
  store.zero_grads();
  const std::vector<float> y = bn.forward(x_in, Mode::train).to_host();
  const std::vector<float> dx = bn.backward(Tensor::from_host(ctx(), dims, d.dy))->to_host();
  const Reference ref(dims.n, dims.c, s, d.x, d.dy, d.gamma, d.beta);
  const auto grad_gamma = store.grad(ig), grad_beta = store.grad(ib);
  return {relative_error(y, ref.y), relative_error(dx, ref.dx), relative_error(grad_gamma, ref.dgamma),
          relative_error(grad_beta, ref.dbeta),
          relative_error(bias_like(dims.n, dims.c, s, d.x, ref.mean, dx),
                         bias_like(dims.n, dims.c, s, d.x, ref.mean, ref.dx))};
}

// Measured (4 x 3 x 16^3 plain; 4 x 6 and 4 x 16 x 16^3 blocked; 16384 elements a
// channel): double accumulation y 5e-8, diff_x 4e-8, gamma/beta gradients 5e-8, bias-like
// sum 1.3e-7; oneDNN's float32 BatchNorm (the path before): y 1.2e-6..4e-5, diff_x
// 2e-4..7e-3, gamma gradient 2e-2..0.5, beta gradient 7e-7..1.6e-6, bias-like sum 2.5e-2..1.
// Each check below fails with float32 accumulation.
void expect_double_accuracy(const Errors& e) {
  EXPECT_LE(e.y, 5e-7);
  EXPECT_LE(e.dx, 1e-6);
  EXPECT_LE(e.dgamma, 1e-6);
  EXPECT_LE(e.dbeta, 3e-7);
  EXPECT_LE(e.bias, 1e-6);
  std::printf("  errors: y %.1e diff_x %.1e dgamma %.1e dbeta %.1e bias-like %.1e\n", e.y, e.dx, e.dgamma,
              e.dbeta, e.bias);
}

TEST(BatchNormPrecision, IllConditionedPlainMatchesDouble) {
  const Dims in{4, 3, 16, 16, 16};
  ParameterStore store;
  BatchNorm bn(ctx(), "p.bn");
  setup(bn, store, in);
  const Data d = ill_conditioned(in.n, in.c, in.d * in.h * in.w);
  const Tensor x = Tensor::from_host(ctx(), in, d.x);
  expect_double_accuracy(run_layer(bn, store, x, d));
  // The moving statistics from the double batch statistics (momentum 0.99, unbiased).
  const Reference ref(in.n, in.c, in.d * in.h * in.w, d.x, d.dy, d.gamma, d.beta);
  const double m = static_cast<double>(in.n) * in.d * in.h * in.w;
  for (std::int64_t k = 0; k < in.c; ++k) {
    EXPECT_NEAR(store.state(*store.find_state("p.bn.moving_mean"))[k], 0.01 * ref.mean[k],
                1e-7 * std::abs(ref.mean[k]) + 1e-9);
    EXPECT_NEAR(store.state(*store.find_state("p.bn.moving_variance"))[k],
                0.99 + 0.01 * ref.var[k] * m / (m - 1), 1e-6);
  }
}

// After a convolution: nCdhw16c, with 16 channels and with 6 (10 padded channels). The
// convolution (1x1x1, weights the identity) hands the data over exactly.
TEST(BatchNormPrecision, IllConditionedBlockedMatchesDouble) {
  for (std::int64_t c : {6, 16}) {
    const Dims in{4, c, 16, 16, 16};
    ParameterStore store;
    Sequential s(ctx(), "b");
    s.emplace<Conv3D>("b.conv", Conv3DSpec{.filters = c, .kernel = {1, 1, 1}, .use_bias = false});
    auto& bn = s.emplace<BatchNorm>("b.bn");
    setup(s, store, in);
    auto w = store.value(store.find("b.conv.weight").value());  // [C_out][C_in][1][1][1]
    std::ranges::fill(w, 0.f);
    for (std::int64_t k = 0; k < c; ++k) w[k * c + k] = 1.f;
    const Data d = ill_conditioned(in.n, c, in.d * in.h * in.w, 11);
    const Tensor& conv_out = s.layer(0).forward(Tensor::from_host(ctx(), in, d.x), Mode::train);
    ASSERT_FALSE(conv_out.plain());
    ASSERT_EQ(conv_out.to_host(), d.x);
    std::printf(" %lld channels (blocked):\n", static_cast<long long>(c));
    expect_double_accuracy(run_layer(bn, store, conv_out, d));
  }
}

/// x in plain [N][C][S] order copied into the layout l (padding: NaN, must not be read).
std::vector<float> to_layout(const bn::Layout& l, std::int64_t size, const std::vector<float>& x) {
  std::vector<float> out(size, std::nanf(""));
  for (std::int64_t i = 0; i < l.n; ++i)
    for (std::int64_t k = 0; k < l.channels; ++k)
      for (std::int64_t j = 0; j < l.spatial; ++j)
        out[i * l.stride_n + k / l.block * l.stride_cb + j * l.stride_s + k % l.block] =
            x[(i * l.channels + k) * l.spatial + j];
  return out;
}

std::vector<float> from_layout(const bn::Layout& l, const std::vector<float>& y) {
  std::vector<float> out(l.n * l.channels * l.spatial);
  for (std::int64_t i = 0; i < l.n; ++i)
    for (std::int64_t k = 0; k < l.channels; ++k)
      for (std::int64_t j = 0; j < l.spatial; ++j)
        out[(i * l.channels + k) * l.spatial + j] =
            y[i * l.stride_n + k / l.block * l.stride_cb + j * l.stride_s + k % l.block];
  return out;
}

// The kernels on plain, channels-last (ndhwc) and blocked (8c, 5 of 8 channels used)
// layouts, against the reference; padding values do not matter (NaN there) and the padding
// of y and diff_x is written as 0; the results are bit-identical for 1 and 2 threads.
TEST(BatchNormPrecision, KernelsOnEveryLayoutDeterministic) {
  const std::int64_t n = 3, c = 5, s = 7 * 9 * 11;
  const Data d = ill_conditioned(n, c, s, 17);
  const Reference ref(n, c, s, d.x, d.dy, d.gamma, d.beta);
  struct Case {
    const char* name;
    bn::Layout l;
    std::int64_t size;
  };
  const Case cases[] = {
      {"ncdhw",
       {.n = n, .channels = c, .spatial = s, .block = 1, .stride_n = c * s, .stride_cb = s, .stride_s = 1},
       n * c * s},
      {"ndhwc",
       {.n = n, .channels = c, .spatial = s, .block = c, .stride_n = c * s, .stride_cb = 0, .stride_s = c},
       n * c * s},
      {"nCdhw8c",
       {.n = n,
        .channels = c,
        .spatial = s,
        .block = 8,
        .stride_n = 8 * s,
        .stride_cb = 8 * s,
        .stride_s = 8},
       n * 8 * s},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    const std::vector<float> x = to_layout(k.l, k.size, d.x), dy = to_layout(k.l, k.size, d.dy);
    std::vector<std::vector<float>> ys, dxs;
    std::vector<std::vector<double>> sums;
    for (int threads : {1, 2}) {
      Context local(threads);
      std::vector<double> mean(c), var(c), sdy(c), sdyx(c);
      std::vector<float> y(k.size, -7.f), dx(k.size, -7.f);
      bn::batch_statistics(k.l, x.data(), mean.data(), var.data());
      bn::normalize(k.l, x.data(), mean.data(), var.data(), 1e-3f, d.gamma.data(), d.beta.data(), y.data());
      bn::backward(k.l, x.data(), dy.data(), mean.data(), var.data(), 1e-3f, d.gamma.data(), sdy.data(),
                   sdyx.data(), dx.data());
      EXPECT_LE(relative_error(mean, ref.mean), 1e-15);
      EXPECT_LE(relative_error(var, ref.var), 1e-13);
      EXPECT_LE(relative_error(from_layout(k.l, y), ref.y), 1e-6);
      EXPECT_LE(relative_error(from_layout(k.l, dx), ref.dx), 2e-6);
      EXPECT_LE(relative_error(sdyx, ref.dgamma), 1e-12);
      EXPECT_LE(relative_error(sdy, ref.dbeta), 1e-14);
      EXPECT_EQ(std::count(y.begin(), y.end(), -7.f), 0);  // every element written
      EXPECT_EQ(std::count(dx.begin(), dx.end(), -7.f), 0);
      EXPECT_EQ(std::count(y.begin(), y.end(), 0.f), k.size - n * c * s);  // padding 0
      EXPECT_EQ(std::count(dx.begin(), dx.end(), 0.f), k.size - n * c * s);
      ys.push_back(y);
      dxs.push_back(dx);
      sums.push_back(sdy);
      sums.push_back(sdyx);
    }
    Context restore(0);
    EXPECT_TRUE(
        std::ranges::equal(ys[0], ys[1], [](float a, float b) { return a == b || (a != a && b != b); }));
    EXPECT_TRUE(dxs[0] == dxs[1]);
    EXPECT_TRUE(sums[0] == sums[2] && sums[1] == sums[3]);
  }
}

// Timing of the training forward and backward on the 3DGAN's BatchNorm shapes (batch 8),
// in the blocked layout the convolutions leave. Not a check: run with
//   nn_batch_norm_precision_test --gtest_also_run_disabled_tests --gtest_filter='*Timing*'
TEST(BatchNormPrecision, DISABLED_Timing) {
  const Dims shapes[] = {{8, 16, 25, 25, 25}, {8, 32, 25, 25, 25}, {8, 16, 23, 23, 23},
                         {8, 64, 7, 7, 8},    {8, 16, 13, 14, 9},  {8, 8, 25, 25, 25}};
  for (const Dims& out : shapes) {
    ParameterStore store;
    Sequential s(ctx(), "t");
    s.emplace<Conv3D>("t.conv", Conv3DSpec{.filters = out.c, .kernel = {1, 1, 1}});
    auto& bn = s.emplace<BatchNorm>("t.bn");
    const Dims in{out.n, 1, out.d, out.h, out.w};
    setup(s, store, in);
    std::mt19937_64 gen(3);
    std::normal_distribution<float> normal;
    std::vector<float> xs(in.elements()), dys(out.elements());
    for (float& v : xs) v = normal(gen);
    for (float& v : dys) v = normal(gen);
    const Tensor& x = s.layer(0).forward(Tensor::from_host(ctx(), in, xs), Mode::train);
    Tensor dy = Tensor::zeros_like(x);
    dy.assign(dys);
    std::vector<double> tf, tb;
    for (int rep = 0; rep < 15; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      bn.forward(x, Mode::train);
      const auto t1 = std::chrono::steady_clock::now();
      bn.backward(dy);
      const auto t2 = std::chrono::steady_clock::now();
      tf.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      tb.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    std::ranges::sort(tf);
    std::ranges::sort(tb);
    std::printf("BN %s (%s): forward %.2f ms, backward %.2f ms (median of 15, %d threads)\n",
                to_string(out).c_str(), x.plain() ? "plain" : "blocked", tf[7], tb[7], ctx().threads());
  }
}

}  // namespace
}  // namespace calo::nn::test
