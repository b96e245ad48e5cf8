#pragma once
// nn-internal: the AVX-512 micro-kernels of the polyphase inference plan
// (conv/conv3d_phase_infer.hh). One call computes a block of R x NC output positions (R rows,
// NC consecutive columns of each) for 16 output channels of one phase convolution:
//
//   acc[j][c][o] = sum_t sum_k x_j[tap_offset[t] + c IC + k] w[t][k][o],  k < run,
//
// with x_j the channels-last, zero-padded input at the block's row j and column 0, t the
// (kd, kh) taps and k the (kw, ic) pairs, contiguous in a channels-last row, then
// bias, activation and shift, and one 16-float store per position. Each output channel
// vector is an accumulator register (R NC <= 24 of AVX-512's 32), each weight vector is
// loaded once per (tap, k) and each input value is a broadcast memory operand of the
// FMA: the register blocking oneDNN's brgemm cannot use here because its block is one output
// row of 4-9 columns (measured: 60 % of the FLOP peak on the generator's phases).
//
// bf16: input pairs (ic, ic + 1) as one 32-bit broadcast and weights [t][ic / 2][o][2], with
// AVX-512 BF16's dot product (f32 accumulation): twice the multiply-adds per instruction.
// int8: input quads (ic .. ic + 3) as unsigned bytes (zero point z: x = scale (q - z)) in one
// 32-bit broadcast and weights [t][ic / 4][o][4] as signed bytes, with AVX-512 VNNI's
// vpdpbusd (exact int32 accumulation of four products per lane); the finish subtracts the
// zero point's share (z times the weights' sum, per output channel) and scales to float.
// Each output is summed by one call in a fixed order, so the result does not depend on how
// blocks are spread over threads.
#include <cstdint>

namespace calo::nn::phase_kernel {

/// The most accumulators (R NC) one kernel keeps in registers.
inline constexpr int kMaxAccumulators = 24;
/// The most columns one kernel computes per row; wider rows are split into chunks.
inline constexpr int kMaxColumns = 12;

struct Block {
  const void* const* rows;          ///< [R] input at (row j, column 0, tap 0): float, bf16 pairs or u8 quads
  const std::int64_t* tap_offsets;  ///< [taps] input offset of each (kd, kh) tap, in 4-byte units
  std::int64_t taps;
  std::int64_t run;  ///< KW IC (f32), KW IC / 2 (bf16 pairs), KW IC / 4 (u8 quads): 4-byte units per tap
  const void*
      weights;  ///< f32 [taps][KW][IC][16], bf16 [taps][KW IC / 2][16][2], s8 [taps][KW IC / 4][16][4]
  float* const* out_rows;            ///< [R] output at (row j, column 0), channel 0 of this block of 16
  std::int64_t out_column_stride;    ///< floats between consecutive columns of the output
  const float* bias;                 ///< [16] or nullptr
  const float* shift;                ///< [16] or nullptr
  const std::int32_t* compensation;  ///< int8: [16] zero point x the weights' sum, subtracted
  const float* scale;                ///< int8: [16] input scale x weight scale per output channel
  float alpha;                       ///< LeakyReLU slope (0: ReLU)
  bool activate;
  /// Streaming stores, for outputs whose every position starts a 64-byte line: whole lines
  /// that need not be read first. Else ordinary stores.
  bool stream = false;
};

using BlockFn = void (*)(const Block&);

/// The arithmetic of a kernel.
enum class Arithmetic { f32, bf16, int8 };

/// The kernel for IC input channels (16, 32 or 64), NC columns (1..kMaxColumns) and R rows
/// (R NC <= kMaxAccumulators), or nullptr if none is compiled for them.
BlockFn find(Arithmetic a, int ic, int nc, int rows);

/// The most rows a kernel with nc columns takes.
int max_rows(int nc);

/// Whether this CPU runs the kernels: AVX-512F (f32), AVX-512 BF16 as well (bf16), AVX-512
/// VNNI as well (int8).
bool supported(Arithmetic a);

/// The input conversions of the bf16 and int8 kernels, n a multiple of 16 (AVX-512):
/// bf16 rounded to nearest even (as oneDNN's reorder and AVX-512 BF16's vcvtneps2bf16);
/// u8 = clamp(round_half_even(x inv_scale) + zero_point, 0, 255).
void to_bf16(const float* src, std::uint16_t* dst, std::int64_t n);
void to_u8(const float* src, std::uint8_t* dst, std::int64_t n, float inv_scale, int zero_point);

}  // namespace calo::nn::phase_kernel
