#pragma once
// Tests only: run one Conv3D train step (forward, backward) on a context whose options
// (ContextOptions::conv) select an algorithm, for comparing Conv3D's plans with each other
// (thin-input, FFT, direct oneDNN).
#include <cstdint>
#include <vector>

#include "nn/nn.hh"
#include "relative_error.hh"

namespace calo::nn::test {

struct StepResult {
  std::vector<float> y, dx, grads;  ///< output, input gradient, weight then bias gradients
  bool selected = false;            ///< what `probe` said of the plan before the forward
};

/// Whether Conv3D would build a given kind of plan (thin_input_selected, fft_selected).
using PlanProbe = bool (*)(Conv3D&, const Tensor&, Mode);

/// Zeroes the output gradient where an output lies within 1e-4 of the largest one of
/// `reference` (the own output when nullptr): there a fused activation's branch may differ
/// between two algorithms through rounding alone, so the gradients could not be compared.
/// Two runs compared with each other pass the first run's output as the second's reference.
struct KinkMask {
  bool on = false;
  const std::vector<float>* reference = nullptr;
};

/// Train forward + backward of a fresh layer (same seeded parameters every time). With
/// pre_filters > 0 the input comes from a 1x1x1 convolution first (pre_filters -> in.c
/// channels: oneDNN's blocked layout), and its gradient is checked for that layout.
StepResult train_step(Context& ctx, const Conv3DSpec& spec, const Dims& in, PlanProbe probe,
                      std::int64_t pre_filters = 0, KinkMask kinks = {});

/// Backward with weight gradients off (a frozen discriminator) gives the same diff_in and no
/// parameter gradients; with need_diff_in off (a discriminator's first layer) no diff_in and
/// the same parameter gradients as a full backward. One layer of spec on an input of dims in.
void check_frozen_and_first_layer_backward(Context& ctx, const Conv3DSpec& spec, const Dims& in);

using calo::test::relative_error;  // max |a - b| / max |b| (tests/support)

/// n standard-normal floats from seed.
std::vector<float> normal(std::int64_t n, std::uint64_t seed);

Conv3DSpec conv(std::int64_t filters, std::array<std::int64_t, 3> k, Padding p = Padding::valid,
                Activation a = Activation::none);

}  // namespace calo::nn::test
