#pragma once
// Losses with Keras semantics on host arrays of predictions p and targets y (same length
// M = batch * outputs; the mean is over all M). Each returns the loss and, if diff is not
// empty, writes diff[i] = d loss / d p[i] (size M).
#include <span>

namespace calo::nn {

/// Binary cross-entropy on probabilities: pc = clip(p, eps, 1 - eps), eps = 1e-7,
/// loss = -mean(y log pc + (1 - y) log(1 - pc)); the gradient is 0 where p was clipped.
float binary_cross_entropy(std::span<const float> p, std::span<const float> y, std::span<float> diff = {});

/// Mean absolute percentage error: 100 * mean(|y - p| / max(|y|, eps)), eps = 1e-7.
float mean_absolute_percentage_error(std::span<const float> p, std::span<const float> y,
                                     std::span<float> diff = {});

/// Mean absolute error: mean(|y - p|). The gradient at p == y is 0.
float mean_absolute_error(std::span<const float> p, std::span<const float> y, std::span<float> diff = {});

}  // namespace calo::nn
