#pragma once
// nn-internal: one output row of a Conv3D with ONE output channel (the generator's last layer):
// every output a dot product over 16-channel groups and taps, FMAs into one 16-lane
// accumulator per output, reduced once, then bias, activation and shift. Used by the
// single-output plan (conv3d_single_output.hh) and by the fused pair (conv3d_fused_pair.hh).
// AVX-512 where the CPU has it, portable C++ otherwise; each output summed in a fixed order.
#include <cstdint>
#include <span>
#include <vector>

namespace calo::nn::single_output {

/// What one output row needs: input pointers per (group, kd, kh) at w = 0, the stride along
/// w, and the repacked weights [group][kd][kh][kw][16].
struct RowArgs {
  const float* const* taps;  // [groups * KD * KH] pointers
  std::int64_t groups, kdh, kw, w_stride, ow;
  const float* weights;
  float bias, shift, alpha;
  bool activate;
  float* out;  // [ow]
};

/// The weights of the layer (plain [1][IC][KD][KH][KW]) as RowArgs::weights takes them.
void pack_weights(std::span<const float> weight, std::int64_t channels, std::int64_t taps,
                  std::vector<float>& packed);

/// The row a describes, on the CPU's best kernel.
void row(const RowArgs& a);

}  // namespace calo::nn::single_output
