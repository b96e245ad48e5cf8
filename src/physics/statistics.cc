// Two-sample statistics on sorted samples and binned CDFs.
#include "physics/statistics.hh"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace calo::physics {

MeanStd mean_std(std::span<const double> values) {
  MeanStd r;
  if (values.empty()) return r;
  double sum = 0;
  for (double v : values) sum += v;
  r.mean = sum / double(values.size());
  if (values.size() < 2) return r;
  double sq = 0;
  for (double v : values) sq += (v - r.mean) * (v - r.mean);
  r.std = std::sqrt(sq / double(values.size() - 1));
  return r;
}

namespace {

/// Walks the merged sorted samples and calls step(x_from, x_to, F_a, F_b) for every interval
/// between consecutive distinct values, with the CDFs right after x_from.
template <class Step>
void walk_cdfs(std::span<const double> a, std::span<const double> b, Step&& step) {
  const double na = double(a.size()), nb = double(b.size());
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    const double x = (j == b.size() || (i < a.size() && a[i] <= b[j])) ? a[i] : b[j];
    while (i < a.size() && a[i] == x) ++i;
    while (j < b.size() && b[j] == x) ++j;
    const double next = std::min(i < a.size() ? a[i] : INFINITY, j < b.size() ? b[j] : INFINITY);
    step(x, next, double(i) / na, double(j) / nb);
  }
}

}  // namespace

double wasserstein1(std::span<const double> a, std::span<const double> b) {
  if (a.empty() || b.empty()) return NAN;
  double w = 0;
  walk_cdfs(a, b, [&](double x, double next, double fa, double fb) {
    if (std::isfinite(next)) w += std::abs(fa - fb) * (next - x);
  });
  return w;
}

double ks_statistic(std::span<const double> a, std::span<const double> b) {
  if (a.empty() || b.empty()) return NAN;
  double d = 0;
  walk_cdfs(a, b, [&](double, double, double fa, double fb) { d = std::max(d, std::abs(fa - fb)); });
  return d;
}

double effective_size(double n_a, double n_b) { return n_a + n_b > 0 ? n_a * n_b / (n_a + n_b) : 0.0; }

double ks_p_value(double d, double n_a, double n_b) {
  if (!std::isfinite(d)) return NAN;
  const double sqrt_n = std::sqrt(effective_size(n_a, n_b));
  const double lambda = (sqrt_n + 0.12 + 0.11 / std::max(sqrt_n, 1e-12)) * d;
  if (lambda < 0.2) return 1.0;  // the series converges slowly here and sums to 1
  double sum = 0, sign = 1;
  for (int k = 1; k <= 100; ++k) {
    const double term = sign * std::exp(-2.0 * k * k * lambda * lambda);
    sum += term;
    if (std::abs(term) < 1e-12 * std::abs(sum)) break;
    sign = -sign;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

double expected_wasserstein1(std::span<const double> reference, double n_a, double n_b) {
  if (reference.empty()) return NAN;
  const double n = double(reference.size());
  double integral = 0;
  for (std::size_t i = 0; i + 1 < reference.size(); ++i) {
    const double f = double(i + 1) / n;
    integral += std::sqrt(f * (1 - f)) * (reference[i + 1] - reference[i]);
  }
  return std::sqrt(2.0 / (std::numbers::pi * effective_size(n_a, n_b))) * integral;
}

double expected_ks(double n_a, double n_b) {
  return std::sqrt(std::numbers::pi / 2) * std::numbers::ln2 / std::sqrt(effective_size(n_a, n_b));
}

double binned_wasserstein1(std::span<const double> a, std::span<const double> b, double width) {
  double w = 0;
  for (std::size_t k = 0; k < a.size(); ++k) w += std::abs(a[k] - b[k]) * width;
  return w;
}

double binned_ks(std::span<const double> a, std::span<const double> b) {
  double d = 0;
  for (std::size_t k = 0; k < a.size(); ++k) d = std::max(d, std::abs(a[k] - b[k]));
  return d;
}

double binned_expected_wasserstein1(std::span<const double> cdf, double width, double n_a, double n_b) {
  double integral = 0;
  for (double f : cdf) integral += std::sqrt(std::max(0.0, f * (1 - f))) * width;
  return std::sqrt(2.0 / (std::numbers::pi * effective_size(n_a, n_b))) * integral;
}

}  // namespace calo::physics
