#pragma once
// Conv3D through the Fourier transform, for large kernels on many channels (the
// discriminator's 5x5x5 convolutions on 25^3 inputs with 16 and 32 channels).
//
// The convolution (a cross-correlation, as oneDNN and Keras compute it) of the zero-padded
// input with a K0 x K1 x K2 kernel is, on transforms of size N >= the padded input,
//   Y_oc = IDFT( sum_ic DFT(x_ic placed at the front padding) * conj(DFT(w_oc,ic)) )
// read at 0..OD-1 in every dimension: no index wraps around because N covers the padded
// input. The data gradient is the adjoint: dX_ic = IDFT( sum_oc DFT(dY_oc) * DFT(w_oc,ic) )
// read at the front padding. Both are exact up to float rounding (~1e-6 of the output's
// scale); the multiply-adds drop from IC OC K^3 per output element to a few per bin plus
// the transforms (3dgan-16 discriminator conv2: 2.0 GFLOP per sample direct).
// The weight gradient is the adjoint in the weights, dW_oc,ic = IDFT( sum_n X_ic conj(DY_oc) )
// read at 0..K-1, the bias gradient the DC bin of DY. The fused activation's backward stays
// oneDNN's (a ConvPlan built without gradients, whose output buffer this plan's forward fills).
// The kernels' spectra are recomputed only when the weights changed since the last forward.
// fft_selected() builds the plan to answer (as thin_input_selected does): for tests and
// benchmarks, not for a hot path.
//
// Selection (Conv3D::make_plan, train and infer), the context's ConvAlgorithms::fft:
//   automatic: this plan when fft_pays() (a cost model of both algorithms);
//   off: never;  on: every Conv3D without upsampling (tests: compare with the direct one).
// ConvAlgorithms::fft_isa picks the spectral-product kernels (spectral_product.hh).
// This header is free of oneDNN and FFTW (tests include it).
#include <memory>

#include "nn/conv3d.hh"

namespace calo::nn {

/// The transform size per dimension D, H, W for an input of dims in (>= the padded input).
std::array<std::int64_t, 3> fft_size(const Conv3D& conv, const Dims& in);

/// True if the cost model expects the FFT plan to be faster than the direct convolution
/// (with the spectral kernels conv's context selects).
bool fft_pays(const Conv3D& conv, const Dims& in);

/// The FFT plan of conv for inputs like in, or nullptr (options, upsampling, layout).
std::unique_ptr<Plan> make_fft_conv_plan(Conv3D& conv, const Tensor& in, Mode mode);

/// Whether conv (declared, finalized) would run inputs like in through this plan now.
bool fft_selected(Conv3D& conv, const Tensor& in, Mode mode);

}  // namespace calo::nn
