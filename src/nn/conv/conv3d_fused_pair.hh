#pragma once
// nn-internal: inference of a Conv3D with a folded UpSampling3D (on the phase kernels,
// phase_convolution.hh) followed by a Conv3D with ONE output channel and no padding (the
// generator's conv3 -> conv4), as one pass. The first layer's output (26 x 26 x 26 x 16 floats,
// 1.1 MB per shower for 3dgan-16) never goes to memory: per sample it is computed plane by plane
// into a ring of KD planes (KD the second kernel's depth; 2 x 43 KB, in the core's L2), and each
// output plane of the second layer is computed as soon as its KD input planes are there
// (single_output_row.hh). Unfused, the first layer wrote that tensor and the second read it back:
// both memory bound at batch 128 (measured: conv4 0.11 ms/shower of 0.93).
//
// Work units are (sample, range of output planes); with fewer samples than threads a sample's
// planes are split into ranges, each range recomputing the KD - 1 first-layer planes it shares
// with the one before. Every output is summed in a fixed order: the result does not depend on
// the thread count and equals the two layers run one after the other (tests/nn).
//
// Selection (Conv3D::make_fused_plan, reached through Sequential::forward in Mode::infer): the
// context's ConvAlgorithms::fuse and ::phase not off; the first layer on the phase kernels
// (conv3d_phase_infer.hh's conditions); the second with filters == 1, no up-sampling and no
// padding. Otherwise nullptr and the layers run one by one.
#include <memory>

#include "nn/conv3d.hh"

namespace calo::nn {

std::unique_ptr<Plan> make_fused_pair_plan(Conv3D& first, Conv3D& second, const Tensor& in, Mode mode);

}  // namespace calo::nn
