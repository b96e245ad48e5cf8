// nn_conv_bench: achieved GFLOP/s of the 3dgan-16 convolutions (DESIGN.md section 7) in
// calo::nn against the machine's oneDNN sgemm rate, measured in the same run.
//   generator convolutions, forward (inference), batch 8 and 128;
//   discriminator convolutions, forward + backward (data and weights), batch 8.
//   discriminator convolutions by pass, oneDNN's direct convolution against the plan that
//   replaces it: the thin-input data gradient for conv1 (ConvAlgorithms::thin), the FFT for
//   conv2..4 (ConvAlgorithms::fft; docs/nn.md), batch 8.
// Each convolution gets its input in the layout the previous layer would leave (a 1x1x1
// convolution in front makes it), so the figures are of the convolution alone.
// Usage: nn_conv_bench [threads=2] [max_batch=128] [passes]
//   passes: only the by-pass table of the discriminator (the quick check of an FFT-plan change).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "nn/nn.hh"
#include "nn/sgemm_rate.hh"

using namespace calo::nn;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct ConvCase {
  const char* name;
  Dims in;  // per sample (n set later), after any upsampling
  Conv3DSpec spec;
};

/// Best-of-reps time [s] of forward (and backward when train) of one convolution.
double time_conv(Context& ctx, const ConvCase& c, std::int64_t batch, bool train, int reps, double* flops) {
  ParameterStore store;
  Sequential s(ctx, "b");
  auto& pre = s.emplace<Conv3D>("b.pre", Conv3DSpec{.filters = c.in.c, .kernel = {1, 1, 1}});
  auto& conv = s.emplace<Conv3D>("b.conv", c.spec);
  Dims in = c.in;
  in.n = batch;
  const Dims out = s.declare(in, store);
  store.finalize();
  calo::Rng rng(1, 0);
  s.initialise(rng);
  const Mode mode = train ? Mode::train : Mode::infer;
  const Tensor x = Tensor::zeros(ctx, in);
  const Tensor& blocked = pre.forward(x, mode);
  const auto& k = c.spec.kernel;
  *flops = 2.0 * out.elements() * in.c * k[0] * k[1] * k[2] * (train ? 3 : 1);
  Tensor dy;
  double best = 1e30;
  for (int r = 0; r < reps + 1; ++r) {  // the first run builds the plan
    const auto t0 = Clock::now();
    const Tensor& y = conv.forward(blocked, mode);
    if (train) {
      if (!dy) dy = Tensor::zeros_like(y);
      conv.backward(dy);
    }
    if (r > 0) best = std::min(best, seconds_since(t0));
  }
  return best;
}

/// Best-of-reps times [s] of one training convolution by pass: forward, backward-data only
/// (weight gradients off) and backward-weights only (need_diff_in off); both backward
/// figures include the fused activation's backward. Input plain (as the discriminator's).
struct PassTimes {
  double fwd = 1e30, bwd_data = 1e30, bwd_weights = 1e30;
};
PassTimes time_passes(Context& ctx, const ConvCase& c, std::int64_t batch, int reps) {
  ParameterStore store;
  Conv3D conv(ctx, "b.conv", c.spec);
  Dims in = c.in;
  in.n = batch;
  conv.declare(in, store);
  store.finalize();
  calo::Rng rng(1, 0);
  conv.initialise(rng);
  const Tensor x = Tensor::zeros(ctx, in);
  Tensor dy;
  PassTimes t;
  for (int r = 0; r < reps + 1; ++r) {  // the first run builds the plan
    auto t0 = Clock::now();
    const Tensor& y = conv.forward(x, Mode::train);
    const double f = seconds_since(t0);
    if (!dy) dy = Tensor::zeros_like(y);
    conv.set_weight_grads(false);
    t0 = Clock::now();
    conv.backward(dy);
    const double bd = seconds_since(t0);
    conv.set_weight_grads(true);
    t0 = Clock::now();
    conv.backward(dy, {.need_diff_in = false});
    const double bw = seconds_since(t0);
    if (r == 0) continue;
    t.fwd = std::min(t.fwd, f);
    t.bwd_data = std::min(t.bwd_data, bd);
    t.bwd_weights = std::min(t.bwd_weights, bw);
  }
  return t;
}

/// Every convolution of both networks, whole (forward, or forward + backward), per sample.
void whole_convolutions(Context& ctx, double peak, std::int64_t max_batch, std::span<const ConvCase> gen,
                        std::span<const ConvCase> disc) {
  std::printf("| convolution | pass | batch | ms/sample | GFLOP/s | %% of sgemm |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (std::int64_t batch : {std::int64_t{8}, max_batch}) {
    double total_ms = 0, total_flops = 0;
    for (const auto& c : gen) {
      double flops;
      const double t = time_conv(ctx, c, batch, false, batch > 8 ? 2 : 5, &flops);
      total_ms += 1e3 * t / batch;
      total_flops += flops;
      std::printf("| %s | fwd | %lld | %.3f | %.1f | %.0f |\n", c.name, (long long)batch, 1e3 * t / batch,
                  flops / t / 1e9, 100 * flops / t / 1e9 / peak);
    }
    std::printf("| G convolutions total | fwd | %lld | %.3f | %.1f | %.0f |\n", (long long)batch, total_ms,
                total_flops / (total_ms * batch / 1e3) / 1e9,
                100 * total_flops / (total_ms * batch / 1e3) / 1e9 / peak);
    if (batch == max_batch) break;
  }
  double total_ms = 0, total_flops = 0;
  for (const auto& c : disc) {
    double flops;
    const double t = time_conv(ctx, c, 8, true, 2, &flops);
    total_ms += 1e3 * t / 8;
    total_flops += flops;
    std::printf("| %s | fwd+bwd | 8 | %.3f | %.1f | %.0f |\n", c.name, 1e3 * t / 8, flops / t / 1e9,
                100 * flops / t / 1e9 / peak);
  }
  std::printf("| D convolutions total | fwd+bwd | 8 | %.3f | %.1f | %.0f |\n", total_ms,
              total_flops / (total_ms * 8 / 1e3) / 1e9,
              100 * total_flops / (total_ms * 8 / 1e3) / 1e9 / peak);
}

/// The discriminator's convolutions pass by pass, the direct one against its replacement.
void passes(int threads, std::span<const ConvCase> disc) {
  // By pass, oneDNN's direct convolution against the plan that replaces it (docs/nn.md):
  // the thin-input data gradient for D conv1 (1 input channel), the FFT for D conv2..4.
  std::printf("\n| convolution, pass (batch 8, ms/call) | direct | thin-input / FFT | speed-up |\n");
  std::printf("|---|---|---|---|\n");
  for (const auto& c : disc) {
    const bool thin = &c == &disc[0];
    PassTimes pt[2];
    for (int on = 0; on < 2; ++on) {
      ContextOptions o{.threads = threads, .conv = {}};
      (thin ? o.conv.thin : o.conv.fft) = on ? AlgorithmSwitch::automatic : AlgorithmSwitch::off;
      Context pass_ctx(o);
      pt[on] = time_passes(pass_ctx, c, 8, 5);
    }
    const char* names[3] = {"forward", "backward-data (+activation)", "backward-weights (+activation)"};
    for (int p = 0; p < 3; ++p) {
      const double x = p == 0 ? pt[0].fwd : p == 1 ? pt[0].bwd_data : pt[0].bwd_weights;
      const double y = p == 0 ? pt[1].fwd : p == 1 ? pt[1].bwd_data : pt[1].bwd_weights;
      std::printf("| %.7s, %s | %.2f | %.2f | %.2fx |\n", c.name, names[p], 1e3 * x, 1e3 * y, x / y);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const std::int64_t max_batch = argc > 2 ? std::atoll(argv[2]) : 128;
  const bool passes_only = argc > 3 && std::string(argv[3]) == "passes";
  Context ctx(threads);
  const double peak = sgemm_gflops(ctx, 2048);
  std::printf("threads %d, oneDNN sgemm 2048^3: %.1f GFLOP/s\n\n", ctx.threads(), peak);

  const ConvCase gen[] = {
      {"G conv1 8->64 (6,6,8) same, 7x7x8",
       {0, 8, 7, 7, 8},
       {.filters = 64, .kernel = {6, 6, 8}, .padding = Padding::same, .activation = Activation::leaky_relu}},
      {"G conv2 64->16 (6,5,8) pad(2,2,0), 14x14x16",
       {0, 64, 14, 14, 16},
       {.filters = 16,
        .kernel = {6, 5, 8},
        .activation = Activation::leaky_relu,
        .extra_front = {2, 2, 0},
        .extra_back = {2, 2, 0}}},
      {"G conv3 16->16 (3,3,8) pad(1,0,3), 26x28x27",
       {0, 16, 26, 28, 27},
       {.filters = 16,
        .kernel = {3, 3, 8},
        .activation = Activation::leaky_relu,
        .extra_front = {1, 0, 3},
        .extra_back = {1, 0, 3}}},
      {"G conv4 16->1 (2,2,2), 26^3",
       {0, 16, 26, 26, 26},
       {.filters = 1, .kernel = {2, 2, 2}, .use_bias = false, .activation = Activation::relu}},
  };
  const ConvCase disc[] = {
      {"D conv1 1->32 5^3 same, 25^3",
       {0, 1, 25, 25, 25},
       {.filters = 32, .kernel = {5, 5, 5}, .padding = Padding::same, .activation = Activation::leaky_relu}},
      {"D conv2 32->16 5^3 pad 2, 25^3",
       {0, 32, 25, 25, 25},
       {.filters = 16, .kernel = {5, 5, 5}, .padding = Padding::same, .activation = Activation::leaky_relu}},
      {"D conv3 16->16 5^3 pad 2, 25^3",
       {0, 16, 25, 25, 25},
       {.filters = 16, .kernel = {5, 5, 5}, .padding = Padding::same, .activation = Activation::leaky_relu}},
      {"D conv4 16->16 5^3 pad 1, 25^3",
       {0, 16, 25, 25, 25},
       {.filters = 16,
        .kernel = {5, 5, 5},
        .activation = Activation::leaky_relu,
        .extra_front = {1, 1, 1},
        .extra_back = {1, 1, 1}}},
  };

  if (!passes_only) whole_convolutions(ctx, peak, max_batch, gen, disc);
  passes(threads, disc);
  return 0;
}
