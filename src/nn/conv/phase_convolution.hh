#pragma once
// nn-internal: a Conv3D with a folded UpSampling3D on nn's own AVX-512 kernels
// (phase_conv_kernel.hh): the state and the work units that the inference plans share, the
// whole-tensor plan (conv3d_phase_infer.hh) and the plan that feeds a following single-output
// Conv3D plane by plane (conv3d_fused_pair.hh).
//
//  - the input is copied once per call into a zero-padded channels-last buffer (padded for
//    every phase at once; bf16: rounded to nearest even on the way; int8: quantised over the
//    sample's own range or the layer's fixed one, the padding being the zero point), so no
//    phase pads or reorders;
//  - each phase's kernel is folded once (while the weights stay the same) and packed
//    [taps][IC][16 outputs] (int8: quantised to signed bytes with one scale per output channel
//    of the phase, max |w| / 127; the zero point's share of a sum, z times the channel's
//    byte sum, is taken off in the kernel's finish);
//  - a block of up to 24 output positions (several rows of a phase) is one kernel call that
//    keeps its 16 output channels per position in registers;
//  - results are stored straight into their interleaved positions of a channels-last output,
//    with bias, activation and shift applied: no interleave pass.
// Every output is summed by one call in a fixed order: the result does not depend on the
// thread count or on whether it is computed whole or plane by plane.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "nn/conv/conv3d_polyphase.hh"
#include "nn/conv/phase_conv_kernel.hh"
#include "nn/dnnl_impl.hh"

namespace calo::nn {

/// Zeroed, 64-byte aligned bytes (aligned vector loads of packed weights).
class AlignedBytes {
 public:
  AlignedBytes() = default;
  explicit AlignedBytes(std::size_t bytes);
  std::byte* data() const { return data_.get(); }
  template <class T>
  T* as() const {
    return reinterpret_cast<T*>(data_.get());
  }
  std::size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(std::byte* p) const;
  };
  std::unique_ptr<std::byte, Free> data_;
  std::size_t size_ = 0;
};

class PhaseConvolution {
 public:
  /// Whether the kernels take this layer and input: an up-sampling conv, IC 16/32/64, OC a
  /// multiple of 16, the CPU's instructions, an f32 input in a layout nn reads.
  static bool applies(const Conv3D& conv, const Tensor& in);
  /// The arithmetic the layer's spec asks for and this CPU has: int8 where asked and AVX-512
  /// VNNI is there, else bf16 where asked, else f32.
  static phase_kernel::Arithmetic arithmetic(const Conv3D& conv);

  PhaseConvolution(const Conv3D& conv, const Dims& in_dims, const BlockedLayout& in_layout);

  const Dims& out_dims() const { return out_dims_; }

  /// Folds and packs the phase kernels when the layer's weights changed since the last call
  /// (once for constant weights).
  void update_weights();
  /// Copies in (dims and layout as constructed) into the padded channels-last buffer.
  void pack_input(const Tensor& in);

  /// The work of one sample in units: row blocks of every phase (whole-tensor runs).
  std::int64_t blocks_per_sample() const { return static_cast<std::int64_t>(blocks_.size()); }
  /// Block b of sample n into out, the sample's channels-last output [D][H][W][OC].
  void run_block(std::int64_t n, std::int64_t b, float* out, bool stream) const;
  /// Output plane od of sample n into plane, channels-last [H][W][OC].
  void run_plane(std::int64_t n, std::int64_t od, float* plane) const;

 private:
  struct Phase {
    std::array<const PhaseAxis*, 3> axis{};
    std::int64_t taps = 0;
    std::array<std::int64_t, 3> origin{};   // padded input index read by output 0's tap 0
    std::vector<std::int64_t> tap_offsets;  // [(kd, kh) taps], in 4-byte units of the padded input
    std::int64_t run = 0;                   // (kw, ic) values per tap, in 4-byte units
    AlignedBytes weights;  // [OC / 16][taps][IC][16] f32, [..][IC / 2][16][2] bf16, [..][IC / 4][16][4] s8
    std::vector<std::int32_t> weight_sum;  // int8: [OC] the sum of the output channel's bytes
    std::vector<float> weight_step;        // int8: [OC] the channel's weight per step
  };
  /// One kernel call per sample and block of 16 filters: rows [row0, row0 + rows) of the
  /// phase's flattened (qd, qh) rows, columns [col0, col0 + cols).
  struct Block {
    int phase;
    std::int64_t row0, rows, col0, cols;
    phase_kernel::BlockFn fn;
  };

  void add_blocks(int phase, std::int64_t row_begin, std::int64_t row_end, std::vector<Block>& to) const;
  /// Block b of sample n; out points at output plane od_base of the sample.
  void run(std::int64_t n, const Block& b, float* out, std::int64_t od_base, bool stream) const;
  void pack_weights();
  void pack_int8(Phase& ph);
  void pack_input_int8(const Tensor& in);

  const Conv3D& conv_;
  phase_kernel::Arithmetic arithmetic_;
  BlockedLayout in_layout_;
  Dims in_dims_, out_dims_;
  std::vector<PhaseAxis> axes_[3];
  std::array<std::int64_t, 3> padded_{};  // Dp, Hp, Wp
  std::array<std::int64_t, 3> pad_{};     // front padding of the buffer
  std::int64_t element_bytes_, sample_bytes_;
  AlignedBytes input_;               // [N][Dp][Hp][Wp][IC], zero where padded (int8: the sample's zero point)
  std::vector<float> sample_scale_;  // int8: [N] input value per step
  std::vector<int> sample_zero_;     // int8: [N] the byte of 0
  std::vector<Phase> phases_;
  std::vector<Block> blocks_;                     // every row of every phase
  std::vector<std::vector<Block>> plane_blocks_;  // [od]: the rows of output plane od
  std::vector<float> folded_from_, phase_kernel_;
};

}  // namespace calo::nn
