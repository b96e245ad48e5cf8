#pragma once
// Gamma-distributed random numbers (Marsaglia & Tsang, ACM TOMS 26 (2000) 363), used for
// sums of many collisions whose mean and variance are known. Allocation-free.
#include <cmath>

#include "core/rng.hh"

namespace calo::sim {

/// Gamma(shape, 1) variate: mean = variance = shape (> 0).
inline double sample_gamma(double shape, Rng& rng) {
  double boost = 1.0;
  if (shape < 1.0) {  // Gamma(k) = Gamma(k + 1) U^(1/k)
    boost = std::pow(rng.uniform(), 1.0 / shape);
    shape += 1.0;
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = rng.normal();
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = rng.uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2 || std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v)))
      return boost * d * v;
  }
}

/// Positive variate with the given mean and variance (a scaled Gamma).
inline double sample_gamma_mean_var(double mean, double variance, Rng& rng) {
  if (!(variance > 0.0)) return mean;
  const double shape = mean * mean / variance;
  return sample_gamma(shape, rng) * (variance / mean);
}

}  // namespace calo::sim
