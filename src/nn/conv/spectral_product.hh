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

/// The kernels, for one instruction set. All sums run in the same order on every instruction
/// set; the AVX-512 kernels may round differently from the generic ones through FMA
/// contraction.
struct Kernels {
  /// out = the product above, bin blocks [block_begin, block_end) only (the caller splits
  /// the blocks among threads).
  void (*product)(Direction dir, const Shape& s, const float* in, const float* w, float* out,
                  std::int64_t block_begin, std::int64_t block_end);
  /// g[f] = sum_n x[n][f] * conj(y[n][f]) for f < count: the cross-spectrum of two channels
  /// summed over the batch (the weight gradient's correlation in the frequency domain). x
  /// and y point at sample 0 and step x_step / y_step complex numbers per sample.
  void (*cross_spectrum)(const float* x, std::int64_t x_step, const float* y, std::int64_t y_step,
                         std::int64_t batch, std::int64_t count, float* g);
  /// y[f] += a * x[f] for f < count, a = (a_re, a_im).
  void (*axpy)(float a_re, float a_im, const float* x, float* y, std::int64_t count);
  const char* isa;  ///< "avx512" or "generic"
};

/// isa automatic: AVX-512 where the CPU has it, else portable C++; generic: the portable
/// ones (tests compare both; ContextOptions::conv.fft_isa).
const Kernels& kernels(FftIsa isa);

}  // namespace calo::nn::spectral
