// Metrics of distributions and profiles, and their expectation from statistics alone.
#include "physics/metrics.hh"

#include <cmath>
#include <numbers>

#include "physics/statistics.hh"

namespace calo::physics {

namespace {
/// E|Z| for a standard normal Z.
const double kMeanAbsNormal = std::sqrt(2.0 / std::numbers::pi);
}  // namespace

Metrics not_applicable() { return {NAN, NAN, NAN, NAN, NAN, NAN, 0, NAN, NAN}; }

double separation_power(std::span<const double> a, std::span<const double> b) {
  double sum = 0;
  for (std::size_t k = 0; k < a.size() && k < b.size(); ++k)
    if (a[k] + b[k] > 0) sum += (a[k] - b[k]) * (a[k] - b[k]) / (a[k] + b[k]);
  return 0.5 * sum;
}

Metrics distribution_metrics(std::span<const double> c, std::span<const double> r) {
  Metrics m = not_applicable();
  const MeanStd mc = mean_std(c), mr = mean_std(r);
  m.relative_error_of_mean = mr.mean != 0 ? (mc.mean - mr.mean) / mr.mean : (mc.mean == 0 ? 0.0 : NAN);
  m.wasserstein1 = wasserstein1(c, r);
  m.ks_statistic = ks_statistic(c, r);
  m.ks_p_value = ks_p_value(m.ks_statistic, double(c.size()), double(r.size()));
  return m;
}

Metrics expected_distribution_metrics(std::span<const double> r, double n_c, double n_r) {
  Metrics m = not_applicable();
  const MeanStd mr = mean_std(r);
  if (mr.mean != 0)
    m.relative_error_of_mean = kMeanAbsNormal * mr.std * std::sqrt(1 / n_c + 1 / n_r) / std::abs(mr.mean);
  m.wasserstein1 = expected_wasserstein1(r, n_c, n_r);
  m.ks_statistic = expected_ks(n_c, n_r);
  return m;
}

std::vector<bool> populated(std::span<const ProfilePoint> reference) {
  std::vector<bool> p(reference.size());
  for (std::size_t i = 0; i < reference.size(); ++i)
    p[i] = reference[i].mean > 0 && reference[i].error <= 0.3 * reference[i].mean;
  return p;
}

Metrics profile_metrics(std::span<const ProfilePoint> c, std::span<const ProfilePoint> r,
                        std::span<const ProfilePoint> denominator, const std::vector<bool>& use) {
  Metrics m = not_applicable();
  double sum_c = 0, sum_r = 0, mre = 0, chi2 = 0;
  std::uint64_t n = 0, n_chi2 = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    sum_c += c[i].mean;
    sum_r += r[i].mean;
    if (!use[i]) continue;
    mre += std::abs(c[i].mean - r[i].mean) / denominator[i].mean;
    ++n;
    const double var = c[i].error * c[i].error + r[i].error * r[i].error;
    if (var > 0) {
      chi2 += (c[i].mean - r[i].mean) * (c[i].mean - r[i].mean) / var;
      ++n_chi2;
    }
  }
  m.relative_error_of_mean = sum_r != 0 ? (sum_c - sum_r) / sum_r : (sum_c == 0 ? 0.0 : NAN);
  if (n > 0) m.mean_relative_error = mre / double(n);
  double sum_d = 0, core = 0;
  std::uint64_t n_core = 0;
  for (const ProfilePoint& p : denominator) sum_d += p.mean;
  if (sum_c > 0 && sum_r > 0 && sum_d > 0)
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double d = denominator[i].mean / sum_d;
      if (d <= 0.01) continue;
      core += std::abs(c[i].mean / sum_c - r[i].mean / sum_r) / d;
      ++n_core;
    }
  if (n_core > 0) m.core_mean_relative_error = core / double(n_core);
  if (n_chi2 > 0) m.chi2_ndf = chi2 / double(n_chi2);
  m.ndf = n_chi2;
  return m;
}

Metrics expected_profile_metrics(std::span<const ProfilePoint> r, std::span<const double> r_over_c,
                                 const std::vector<bool>& use) {
  Metrics m = not_applicable();
  double mre = 0;
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (!use[i]) continue;
    mre += kMeanAbsNormal * r[i].error * std::sqrt(1 + r_over_c[i]) / r[i].mean;
    ++n;
  }
  if (n > 0) {
    m.mean_relative_error = mre / double(n);
    m.chi2_ndf = 1.0;
  }
  m.ndf = n;
  return m;
}

}  // namespace calo::physics
