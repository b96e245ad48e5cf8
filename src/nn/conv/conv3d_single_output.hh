#pragma once
// nn-internal: inference of a Conv3D with ONE output channel (the generator's last layer,
// 16 -> 1 channels, 2x2x2), which oneDNN runs at a sixteenth of its vector width (it blocks
// output channels by 16) and which then costs more than the far larger convolutions before it.
// Here every output is a dot product over input channels (16 contiguous floats of a blocked
// or channels-last input: one vector) and taps: FMAs into one 16-lane accumulator per output,
// reduced once, then bias, activation and shift. Memory bound (one read of the input); each
// output is summed by one thread in a fixed order, so results do not depend on the thread
// count. AVX-512 where the CPU has it, portable C++ otherwise.
//
// Selection (Conv3D::make_plan): Mode::infer, filters == 1, no up-sampling, no padding, the
// input's channels in contiguous runs of 16 (nCdhw16c or ndhwc with 16k channels); else
// nullptr and the direct convolution runs. Tests compare it with the Mode::train forward
// (oneDNN's direct convolution).
#include <memory>

#include "nn/conv3d.hh"

namespace calo::nn {

std::unique_ptr<Plan> make_single_output_conv_plan(Conv3D& conv, const Tensor& in, Mode mode);

}  // namespace calo::nn
