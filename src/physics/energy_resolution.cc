#include "physics/energy_resolution.hh"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "core/error.hh"

namespace calo::physics {

double LayerWeightedSum::operator()(std::span<const float> cells, std::size_t nx, std::size_t ny) const {
  const std::size_t layers = layer_weights.size();
  CALO_VALIDATE(cells.size() == nx * ny * layers, "shower does not have the weighting's layer count");
  std::vector<double> per_layer(layers, 0.0);
  for (std::size_t c = 0; c < nx * ny; ++c) {
    const float* column = cells.data() + c * layers;
    for (std::size_t l = 0; l < layers; ++l)
      if (column[l] > cell_threshold) per_layer[l] += column[l];
  }
  double sum = 0;
  for (std::size_t l = 0; l < layers; ++l) sum += layer_weights[l] * per_layer[l];
  return sum;
}

namespace {

/// Moments of a unit Gaussian inside |z| <= k: p = P(|z| <= k), m2 = E[z^2; |z| <= k],
/// m4 = E[z^4; |z| <= k]; m2 / p is the truncated variance over sigma^2.
struct TruncatedMoments {
  double phi, p, m2, m4;
  explicit TruncatedMoments(double k)
      : phi(std::exp(-0.5 * k * k) / std::sqrt(2 * std::numbers::pi)),
        p(std::erf(k / std::numbers::sqrt2)),
        m2(p - 2 * k * phi),
        m4(3 * p - 2 * (k * k * k + 3 * k) * phi) {}
};

/// Weighted least-squares line y = slope x + offset and the variances of both.
struct Line {
  double slope = 0, offset = 0, var_slope = 0, var_offset = 0;
};
Line weighted_line(std::span<const double> x, std::span<const double> y, std::span<const double> w,
                   const char* what) {
  double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    s += w[i];
    sx += w[i] * x[i];
    sy += w[i] * y[i];
    sxx += w[i] * x[i] * x[i];
    sxy += w[i] * x[i] * y[i];
  }
  const double det = s * sxx - sx * sx;
  CALO_VALIDATE(det > 0, std::string(what) + " needs at least 2 different energies");
  return {(s * sxy - sx * sy) / det, (sxx * sy - sx * sxy) / det, s / det, sxx / det};
}

}  // namespace

GaussianCore gaussian_core(std::span<const double> values, double k) {
  CALO_VALIDATE(values.size() >= 10, "a peak needs at least 10 values");
  CALO_VALIDATE(k >= 1, "the Gaussian core's window must be at least +-1 sigma");
  double mean = 0, var = 0;
  for (double v : values) mean += v;
  mean /= double(values.size());
  for (double v : values) var += (v - mean) * (v - mean);
  double sigma = std::sqrt(var / double(values.size() - 1));
  const TruncatedMoments t(k);
  const double ratio = t.m2 / t.p;
  GaussianCore core;
  // The map (mean, sigma) -> moments of the window, corrected, contracts for a peaked
  // distribution; 100 rounds is far more than its convergence needs.
  for (int round = 0; round < 100 && sigma > 0; ++round) {
    double sum = 0, sum2 = 0;
    std::size_t n = 0;
    for (double v : values)
      if (std::abs(v - mean) <= k * sigma) {
        sum += v;
        sum2 += v * v;
        ++n;
      }
    if (n < 10) break;
    const double m = sum / double(n);
    const double s = std::sqrt(std::max(0.0, (sum2 - double(n) * m * m) / double(n - 1)) / ratio);
    const bool converged = std::abs(m - mean) <= 1e-9 * std::abs(mean) && std::abs(s - sigma) <= 1e-9 * sigma;
    mean = m;
    sigma = s;
    core.used = n;
    if (converged) break;
  }
  core.mean = mean;
  core.sigma = sigma;
  // Asymptotic errors of this M-estimator (the sandwich formula A^-1 B A^-T over all n values)
  // for Gaussian data: with p = P(|z| <= k), m2 = E[z^2; |z| <= k], m4 = E[z^4; |z| <= k] and
  // c = m2 / p, var(mean) = sigma^2 / (m2 n) and var(sigma) = sigma^2 B / (A^2 n) with
  // B = m4 - 2 c m2 + c^2 p and A = 2 k (k^2 - c) phi(k) - 2 c p. At k = 2 these are 1.16 and
  // 1.60 times the untruncated sigma / sqrt(n) and sigma / sqrt(2n): the window costs efficiency.
  const double phi = t.phi, p = t.p, m2 = t.m2, m4 = t.m4, c = ratio;
  const double B = m4 - 2 * c * m2 + c * c * p, A = 2 * k * (k * k - c) * phi - 2 * c * p;
  const double n = double(values.size());
  core.mean_error = sigma / std::sqrt(m2 * n);
  core.sigma_error = sigma * std::sqrt(B / (A * A * n));
  return core;
}

ResolutionFit fit_resolution(std::span<const ResolutionPoint> points) {
  CALO_VALIDATE(points.size() >= 2, "a resolution fit needs at least 2 energies");
  // y = (sigma/mean)^2 = A x + B with x = 1/E, A = a^2, B = b^2, weighted by 1 / var(y).
  // var(y) = (2 r dr)^2 with dr / r the point's relative error; r is taken from the fitted
  // curve, not the measured point (reweighted until stable), since weights from the measured
  // r favour the points that fluctuated low and bias a and b low.
  std::vector<double> xs, ys, rel;
  for (const auto& p : points) {
    CALO_VALIDATE(p.energy > 0 && p.peak.mean > 0 && p.peak.sigma > 0, "resolution point with no peak");
    const double r = p.peak.sigma / p.peak.mean;
    xs.push_back(1 / p.energy);
    ys.push_back(r * r);
    rel.push_back(std::hypot(p.peak.sigma_error / p.peak.sigma, p.peak.mean_error / p.peak.mean));
  }
  std::vector<double> ws(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) ws[i] = 1 / std::pow(2 * ys[i] * rel[i], 2);  // first pass
  double A = 0, B = 0, var_A = 0, var_B = 0;
  for (int round = 0; round < 20; ++round) {
    const Line line = weighted_line(xs, ys, ws, "a resolution fit");
    var_A = line.var_slope;
    var_B = line.var_offset;
    const bool stable = std::abs(line.slope - A) <= 1e-12 * std::abs(line.slope) &&
                        std::abs(line.offset - B) <= 1e-12 * std::abs(line.offset);
    A = line.slope;
    B = line.offset;
    if (stable) break;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const double y_model = A * xs[i] + B;
      if (y_model > 0) ws[i] = 1 / std::pow(2 * y_model * rel[i], 2);
    }
  }
  ResolutionFit fit;
  fit.stochastic = std::sqrt(std::max(A, 0.0));
  fit.constant = std::sqrt(std::max(B, 0.0));
  // d sqrt(A) = dA / (2 sqrt(A)); at A <= 0 the error of sqrt is that of sqrt(|dA|).
  fit.stochastic_error = A > 0 ? std::sqrt(var_A) / (2 * fit.stochastic) : std::sqrt(std::sqrt(var_A));
  fit.constant_error = B > 0 ? std::sqrt(var_B) / (2 * fit.constant) : std::sqrt(std::sqrt(var_B));
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double d = ys[i] - (A * xs[i] + B);
    fit.chi2 += ws[i] * d * d;
  }
  fit.ndf = int(points.size()) - 2;
  return fit;
}

LinearityFit fit_linearity(std::span<const ResolutionPoint> points) {
  CALO_VALIDATE(points.size() >= 2, "a linearity fit needs at least 2 energies");
  std::vector<double> x, y, w;
  for (const auto& p : points) {
    CALO_VALIDATE(p.peak.mean_error > 0, "linearity point without an error");
    x.push_back(p.energy);
    y.push_back(p.peak.mean);
    w.push_back(1 / (p.peak.mean_error * p.peak.mean_error));
  }
  const Line line = weighted_line(x, y, w, "a linearity fit");
  LinearityFit fit;
  fit.slope = line.slope;
  fit.offset = line.offset;
  for (const auto& p : points) fit.deviation.push_back(p.peak.mean / (fit.slope * p.energy + fit.offset) - 1);
  return fit;
}

}  // namespace calo::physics
