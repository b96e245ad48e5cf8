#pragma once
// nn-internal: the plan of a Conv3D with a folded UpSampling3D (Conv3DSpec::upsample).
//
// Nearest upsampling by f repeats every input value f times, so along one dimension the
// output o = f q + r of "upsample, zero-pad p, convolve with K taps" reads the input at
// q + floor((r - p + k) / f) for tap k: for a fixed phase r it is an ordinary convolution
// of the ORIGINAL input whose kernel sums the taps that land on the same input element.
// The plan runs one oneDNN convolution per phase (fD fH fW of them, kernels of about
// K/f taps) and interleaves their outputs; backward gathers the diff per phase, sums the
// phases' data gradients and folds the phases' weight gradients back onto the K taps
// (the adjoint of the tap summation). Same result as the unfolded layers up to float
// rounding, with 1/(fD fH fW) of the multiply-adds (DESIGN.md section 8).
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "nn/conv3d.hh"
#include "nn/plan.hh"

namespace calo::nn {

/// One dimension of the polyphase split, for phase r.
struct PhaseAxis {
  std::int64_t r = 0;          ///< output positions o = f q + r
  std::int64_t count = 0;      ///< how many of them the layer's output has
  std::int64_t computed = 0;   ///< outputs the phase convolution produces (>= count)
  std::int64_t taps = 0;       ///< phase kernel length
  std::int64_t pad_front = 0;  ///< zero padding of the original input
  std::int64_t pad_back = 0;
  std::vector<std::int64_t> tap_of;  ///< original tap k -> phase tap
};

/// The phases of one dimension: input size n, factor f, front padding p (of the upsampled
/// input), kernel K, output size out.
std::vector<PhaseAxis> split_phases(std::int64_t n, std::int64_t f, std::int64_t p, std::int64_t K,
                                    std::int64_t out);

/// fold: phase kernels (plain [pairs][Ld][Lh][Lw], pairs = OC IC) = the sums of the kernel
/// taps (plain [pairs][KD][KH][KW]) each phase tap stands for; !fold: the adjoint, kernels +=
/// the phase kernels' values at the taps they stand for (weight gradients).
void fold_phase_taps(const std::array<const PhaseAxis*, 3>& axis, const std::array<std::int64_t, 3>& kernel,
                     std::int64_t pairs, float* phase_kernels, float* kernels, bool fold);

/// The plan of a Conv3D with a folded upsampling: in Mode::infer the AVX-512 phase kernels
/// where they apply (conv3d_phase_infer.hh), else one oneDNN convolution per phase.
std::unique_ptr<Plan> make_polyphase_conv_plan(Conv3D& conv, const Tensor& in, Mode mode);

}  // namespace calo::nn
