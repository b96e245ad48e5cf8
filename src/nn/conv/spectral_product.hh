#pragma once
// nn-internal: the frequency-domain step of the FFT convolution (conv3d_fft.cc), a complex
// matrix product per frequency bin, batched over samples.
//
// Layouts (complex numbers interleaved re, im; S = spectrum stride, a multiple of 8):
//   in  [N][A][S]        the spectra of the A summed channels of each sample
//   out [N][B][S]        the spectra of the B output channels (overwritten)
//   w   [S/8][IC][OC][8] the kernels' spectra, 8 bins at a time ("bin blocks")
// forward (correlation, the convolution's forward):  A = IC, B = OC,
//   out[n][oc][f] = sum_ic in[n][ic][f] * conj(w[f][ic][oc])
// adjoint (the data gradient):                        A = OC, B = IC,
//   out[n][ic][f] = sum_oc in[n][oc][f] * w[f][ic][oc]
#include <cstdint>

#include "nn/context_options.hh"

namespace calo::nn::spectral {

enum class Direction { forward, adjoint };

struct Shape {
  std::int64_t batch = 0, in_channels = 0, out_channels = 0;  ///< N, IC, OC of the convolution
  std::int64_t stride = 0;                                    ///< S, complex numbers
};

/// The layout of one cross_spectrum call (complex numbers).
struct CrossTile {
  std::int64_t x_channels = 1, x_channel = 0, x_step = 0;
  std::int64_t y_channels = 1, y_channel = 0, y_step = 0;
  std::int64_t batch = 0, count = 0, g_pair = 0;
};

/// The kernels, for one instruction set. All sums run in the same order on every instruction
/// set; the AVX-512 kernels may round differently from the generic ones through FMA
/// contraction.
struct Kernels {
  /// out = the product above, bin blocks [block_begin, block_end) only (the caller splits
  /// the blocks among threads).
  void (*product)(Direction dir, const Shape& s, const float* in, const float* w, float* out,
                  std::int64_t block_begin, std::int64_t block_end);
  /// The cross-spectra of a tile of channel pairs summed over the batch (the weight
  /// gradient's correlation in the frequency domain):
  ///   g[a][b][f] = sum_n x_a[n][f] * conj(y_b[n][f])   for a < t.x_channels, b < t.y_channels,
  /// f < t.count. x_a starts at x + a * t.x_channel and steps
  /// t.x_step per sample (complex numbers; y likewise); pair (a, b) is written at
  /// g + (a * t.y_channels + b) * t.g_pair. Every pair sums its samples in order, so a pair's
  /// result does not depend on the tile it was computed in. A tile shares its loads among
  /// its pairs: one pair at a time, the vector kernel waited on loads and shuffles.
  void (*cross_spectrum)(const float* x, const float* y, const CrossTile& t, float* g);
  /// y[f] += a * x[f] for f < count, a = (a_re, a_im).
  void (*axpy)(float a_re, float a_im, const float* x, float* y, std::int64_t count);
  const char* isa;  ///< "avx512" or "generic"
};

/// isa automatic: AVX-512 where the CPU has it, else portable C++; generic: the portable
/// ones (tests compare both; ContextOptions::conv.fft_isa).
const Kernels& kernels(FftIsa isa);

}  // namespace calo::nn::spectral
