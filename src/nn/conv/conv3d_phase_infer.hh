#pragma once
// nn-internal: inference of a Conv3D with a folded UpSampling3D (the generator's conv2 and
// conv3) on nn's own AVX-512 kernels (phase_conv_kernel.hh) instead of one oneDNN
// convolution per phase.
//
// The phases of the polyphase split (conv3d_polyphase.hh) have outputs only 4-9 wide, and
// oneDNN's kernels block one output row at a time, which leaves them at about 60 % of the FMA
// peak (measured on 3dgan-16's conv2/conv3 at batch 128). The kernels and how they are fed:
// phase_convolution.hh. Equal to the oneDNN polyphase plan up to float rounding (tests/nn).
//
// Selection (make_polyphase_conv_plan): Mode::infer; the context's ConvAlgorithms::phase not
// off; the CPU has AVX-512F (bf16: and AVX-512 BF16); IC 16, 32 or 64; OC a multiple of 16;
// an f32 input in a layout nn reads (BlockedLayout). Otherwise nullptr.
#include <memory>

#include "nn/conv3d.hh"

namespace calo::nn {

/// Whether a Conv3D (declared) would run inputs like in through this plan.
bool phase_infer_selected(const Conv3D& conv, const Tensor& in, Mode mode);

/// The plan, or nullptr where it does not apply.
std::unique_ptr<Plan> make_phase_infer_plan(Conv3D& conv, const Tensor& in, Mode mode);

}  // namespace calo::nn
