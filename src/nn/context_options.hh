#pragma once
// What a Context runs with: its thread count and the convolution algorithms its layers may
// choose. Library options live in code (as oneDNN takes the algorithm as an argument): the
// library never reads the process environment; the CLI fills these from it once
// (src/cli/nn_options.hh), an embedding application sets them directly.
namespace calo::nn {

/// One of Conv3D's alternative algorithms (docs/nn.md): the layer's own choice (a cost
/// model), wherever it applies (tests compare both paths), or never.
enum class AlgorithmSwitch { automatic, on, off };

/// The spectral-product kernels of the FFT convolution: the CPU's best (AVX-512 where it has
/// it) or the portable C++ ones (tests compare both).
enum class FftIsa { automatic, generic };

struct ConvAlgorithms {
  AlgorithmSwitch thin = AlgorithmSwitch::automatic;  ///< thin-input data gradient (train mode)
  AlgorithmSwitch fft = AlgorithmSwitch::automatic;   ///< FFT convolution
  AlgorithmSwitch phase =
      AlgorithmSwitch::automatic;  ///< own kernels for upsampled convolutions (infer mode)
  /// A single-output Conv3D computed inside the phase-kernel plan of the up-sampling Conv3D
  /// before it, plane by plane (infer mode).
  AlgorithmSwitch fuse = AlgorithmSwitch::automatic;
  FftIsa fft_isa = FftIsa::automatic;
};

struct ContextOptions {
  int threads = 0;      ///< OpenMP threads of oneDNN and nn's kernels; 0: the creating thread's default
  ConvAlgorithms conv;  ///< read by Conv3D whenever it builds a plan
};

}  // namespace calo::nn
