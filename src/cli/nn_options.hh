#pragma once
// The nn library's options from the process environment: the CLI is the only reader of the
// environment, once per command, and passes the result to every nn::Context it creates.
//   CALO_NN_CONV_THIN  auto (default) | on | 1 | off | 0   the thin-input data gradient
//   CALO_NN_CONV_FFT   auto (default) | on | 1 | off | 0   the FFT convolution
//   CALO_NN_FFT_ISA    auto (default) | native | generic   the FFT's spectral-product kernels
// (docs/nn.md). InputError naming the variable for any other value.
#include "nn/context_options.hh"

namespace calo::cli {

/// The options the variables ask for, threads left 0 (the caller sets its own).
nn::ContextOptions nn_options_from_environment();

}  // namespace calo::cli
