#pragma once
// The training plan of a Conv3D with a thin input (few input channels, e.g. the
// discriminator's first convolution, 1 channel 25^3, 32 filters 5x5x5).
//
// oneDNN's backward-data for IC = 1..4 vectorises over input channels and wastes most of its
// lanes (~28 ms per call for the discriminator conv1 at batch 8 against ~2 ms forward). This
// plan computes the data gradient as the adjoint of a "folded" convolution: the kernel taps of
// H and W are moved into channels,
//   X'[n][c' = (ic, kh, kw)][d][oh][ow] = Xpad[n][ic][d][oh + kh][ow + kw]   (H, W padded),
// so that Y = conv_{(KD,1,1)}(X', W') with W'[oc][c'][kd] = W[oc][ic][kd][kh][kw] (C' rounded up
// to 16 with zero channels; D keeps its padding). Backward-data of that convolution (C'
// output channels: oneDNN's fast blocked kernels) gives dX', and the adjoint of the gather,
//   dX[n][ic][d][h][w] = sum_{kh,kw} dX'[n][(ic,kh,kw)][d][h + pad_h - kh][w + pad_w - kw],
// gives dX: the same sums as the direct convolution in another order (float rounding only).
// X' itself is never built: forward and backward-weights stay oneDNN's direct convolution,
// which is already fast for thin inputs (measured: the folded forward/backward-weights are
// slower than the direct ones once the im2col gather is counted; docs/nn.md).
//
// Selection (Conv3D::make_plan, Mode::train only), the context's ConvAlgorithms::thin:
//   automatic: this plan when IC <= 4 and KH*KW >= 2 and IC*KH*KW <= 256;
//   off: never (oneDNN's direct backward-data everywhere);
//   on:  every Conv3D trained (tests: compare both paths on any shape).
// This header is free of oneDNN (tests include it); the plan itself lives in the .cc.
#include <memory>

#include "nn/conv3d.hh"

namespace calo::nn {

/// True if the automatic choice folds the data gradient of this spec for an input of dims in.
bool thin_input_pays(const Conv3DSpec& spec, const Dims& in);

/// The thin-input plan of conv for inputs like in, or nullptr when the direct ConvPlan is
/// the one to use (infer mode, options, shape, or no fast oneDNN kernel for the fold).
std::unique_ptr<Plan> make_thin_input_conv_plan(Conv3D& conv, const Tensor& in, Mode mode);

/// Whether conv (declared, finalized) would train inputs like in through this plan under its
/// context's options (builds the plan's primitives and discards them).
bool thin_input_selected(Conv3D& conv, const Tensor& in, Mode mode);

}  // namespace calo::nn
