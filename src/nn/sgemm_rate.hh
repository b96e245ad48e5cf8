#pragma once
// The machine's practical FP32 peak for the nn benchmarks, measured through oneDNN (so that
// only nn touches oneDNN), and the multiply-add count of a convolution.
#include <cstdint>

#include "nn/context.hh"

namespace calo::nn {

/// oneDNN sgemm rate on n x n matrices with ctx's thread count, best of three after a
/// warm-up [GFLOP/s].
double sgemm_gflops(const Context& ctx, int n = 2048);

/// FLOPs of one convolution forward per sample: 2 * output elements * in channels * kernel.
inline double conv_flops(std::int64_t out_elements, std::int64_t in_channels, std::int64_t kernel_volume) {
  return 2.0 * static_cast<double>(out_elements) * in_channels * kernel_volume;
}

}  // namespace calo::nn
