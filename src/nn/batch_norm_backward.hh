#pragma once
// nn-internal (oneDNN-free, so tests can drive it on hand-made layouts): the training-mode
// BatchNorm kernels of nn, with every per-channel reduction accumulated in double.
//
// Why: a conv bias gradient taken through a training-mode BatchNorm (and a LeakyReLU) is a
// sum that cancels to 1/400..1/6000 of its terms, so the channel-wide rounding of float32
// reductions (oneDNN's: mean of dy and of dy * x_hat, up to 10^5 terms a channel) comes out
// magnified (2.4e-4 relative on the 3dgan-v1 cross-check). PyTorch's CPU BatchNorm
// accumulates in double too.
//
// Layout: a dense 5D tensor [N][C][S = D*H*W] whose channels come in runs of `block`
// contiguous floats; element (n, c, s) lives at
//     n * stride_n + (c / block) * stride_cb + s * stride_s + c % block
//   plain ncdhw:   block 1,          stride_cb S,         stride_s 1
//   ndhwc:         block C (padded), stride_cb (unused),  stride_s C
//   nCdhw8c/16c:   block 8/16,       stride_cb S * block, stride_s block
// (block 1 needs stride_s 1.) Channels c >= channels (the padding of a blocked layout)
// are never used as data (NaN there is harmless) and are written as 0 in y and diff_x.
//
// Determinism: the reductions run over fixed chunks (independent of the thread count:
// OpenMP threads take whole chunks), each summed in a fixed order into its own double
// partials, and the partials are combined in chunk order. Results are bit-identical for any
// thread count.
#include <cstdint>

namespace calo::nn::bn {

struct Layout {
  std::int64_t n = 0, channels = 0, spatial = 0;           // N, C (logical), D*H*W
  std::int64_t block = 1;                                  // contiguous channels per run
  std::int64_t stride_n = 0, stride_cb = 0, stride_s = 0;  // in floats
};

/// Batch statistics over N and S per channel: mean and biased variance, in double, from one
/// pass of sums of x - K and (x - K)^2 with K the channel's first value (as accurate as
/// two passes: the shift leaves no cancellation that double cannot hold).
void batch_statistics(const Layout& l, const float* x, double* mean, double* variance);

/// y = gamma (x - mean) / sqrt(variance + eps) + beta, evaluated in double per element.
void normalize(const Layout& l, const float* x, const double* mean, const double* variance, double eps,
               const float* gamma, const float* beta, float* y);

/// The backward of normalize with the batch statistics (mean, variance of x) of the
/// training forward; m = N*S, sigma = sqrt(variance + eps), x_hat = (x - mean) / sigma:
///   sum_dy[c]      = sum dy                 (= diff_beta)
///   sum_dy_xhat[c] = sum dy x_hat           (= diff_gamma)
///   diff_x         = gamma / sigma (dy - sum_dy / m - x_hat sum_dy_xhat / m)
/// (diff_x skipped when nullptr). Reductions and diff_x in double.
void backward(const Layout& l, const float* x, const float* dy, const double* mean, const double* variance,
              double eps, const float* gamma, double* sum_dy, double* sum_dy_xhat, float* diff_x);

}  // namespace calo::nn::bn
