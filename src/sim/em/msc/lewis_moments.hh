#pragma once
// Spatial moments of Lewis' theory (H. W. Lewis, Phys. Rev. 78 (1950) 526) for a path of
// tau = s / lambda_1 transport mean free paths at constant lambda_1, lambda_2 = lambda_1 / k.
// Derived from d<r.u>/ds = 1 - <r.u>/lambda_1 and d<z cos>/ds = <cos^2> - <z cos>/lambda_1 with
// <cos^2> = (1 + 2 exp(-s/lambda_2)) / 3. Lengths are in units of lambda_1.
#include <cmath>

namespace calo::sim::lewis {

/// <x^2 + y^2> / lambda_1^2: mean square lateral displacement.
/// Exact: (4/3)(tau - 1 + e^-tau) - 4/(3(1-k)) ((1 - e^-k tau)/k - (1 - e^-tau));
/// small tau: (2k/9) tau^3 (1 - (k+1) tau/4 + (k^2+k+1) tau^2/20 - (k^3+k^2+k+1) tau^3/120).
inline double lateral_r2(double tau, double k) {
  if (tau < 0.05) {
    const double series = 1.0 - (k + 1.0) * tau / 4.0 + (k * k + k + 1.0) * tau * tau / 20.0 -
                          (k * k * k + k * k + k + 1.0) * tau * tau * tau / 120.0;
    return 2.0 * k / 9.0 * tau * tau * tau * series;
  }
  const double g1 = -std::expm1(-tau);
  const double gk = -std::expm1(-k * tau) / k;
  return 4.0 / 3.0 * (tau - g1) - 4.0 / (3.0 * (1.0 - k)) * (gk - g1);
}

/// <(x, y) . (u_x, u_y)> / lambda_1: correlation of lateral displacement and final direction.
/// Exact: (2/3) ((1 - e^-tau) - (e^-k tau - e^-tau) / (1 - k));
/// small tau: (k/3) tau^2 (1 - (k+1) tau/3 + (k^2+k+1) tau^2/12 - (k^3+k^2+k+1) tau^3/60).
inline double lateral_correlation(double tau, double k) {
  if (tau < 0.05) {
    return k / 3.0 * tau * tau *
           (1.0 - (k + 1.0) * tau / 3.0 + (k * k + k + 1.0) * tau * tau / 12.0 -
            (k * k * k + k * k + k + 1.0) * tau * tau * tau / 60.0);
  }
  const double e1 = std::exp(-tau), ek = std::exp(-k * tau);
  return 2.0 / 3.0 * ((1.0 - e1) - (ek - e1) / (1.0 - k));
}

/// <sin^2 theta> = (2/3)(1 - exp(-k tau)).
inline double mean_sin2(double tau, double k) { return -2.0 / 3.0 * std::expm1(-k * tau); }

}  // namespace calo::sim::lewis
