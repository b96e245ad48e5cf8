#pragma once
// Composite 8-point Gauss-Legendre quadrature (start-up integrals of the electron models).
namespace calo::sim::quadrature {

/// Integral of f over [a, b] split into n equal sub-intervals.
template <class F>
double gauss_legendre(F&& f, double a, double b, int n) {
  static constexpr double x[4] = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267,
                                  0.9602898564975363};
  static constexpr double w[4] = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745,
                                  0.1012285362903763};
  const double h = (b - a) / n;
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const double mid = a + (i + 0.5) * h, half = 0.5 * h;
    for (int j = 0; j < 4; ++j) sum += w[j] * half * (f(mid - half * x[j]) + f(mid + half * x[j]));
  }
  return sum;
}

}  // namespace calo::sim::quadrature
