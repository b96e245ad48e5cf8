#pragma once
// Two-sample statistics (docs/validation.md, "Metrics"): exact on sorted per-event values,
// or on binned cumulative distributions; and what each gives for two samples of one parent
// (the null expectation that the verdict compares against).
#include <span>
#include <vector>

namespace calo::physics {

/// Mean and standard deviation (n - 1 in the denominator; 0 for fewer than 2 values).
struct MeanStd {
  double mean = 0, std = 0;
};
MeanStd mean_std(std::span<const double> values);

/// Wasserstein-1 distance between the empirical distributions of two sorted samples:
/// the integral of |F_a(x) - F_b(x)| dx [units of x].
double wasserstein1(std::span<const double> a_sorted, std::span<const double> b_sorted);

/// Two-sample Kolmogorov-Smirnov statistic D = max |F_a - F_b| (ties handled exactly).
double ks_statistic(std::span<const double> a_sorted, std::span<const double> b_sorted);

/// Asymptotic p-value of D for samples of n_a and n_b (Kolmogorov distribution with
/// Stephens' small-sample correction, Numerical Recipes 3rd ed. section 14.3.3).
double ks_p_value(double d, double n_a, double n_b);

/// Effective sample size n_a n_b / (n_a + n_b).
double effective_size(double n_a, double n_b);

/// Expected W1 between two samples (n_a, n_b) drawn from the distribution of
/// reference_sorted: sqrt(2 / (pi n_eff)) * integral sqrt(F (1 - F)) dx (the mean of the
/// limiting Brownian-bridge functional).
double expected_wasserstein1(std::span<const double> reference_sorted, double n_a, double n_b);

/// Expected D for two samples of one continuous parent: sqrt(pi/2) ln 2 / sqrt(n_eff).
double expected_ks(double n_a, double n_b);

/// Binned versions: cdf_a, cdf_b are cumulative fractions at the upper edge of each bin of
/// width bin_width (the same bins for both).
double binned_wasserstein1(std::span<const double> cdf_a, std::span<const double> cdf_b, double bin_width);
double binned_ks(std::span<const double> cdf_a, std::span<const double> cdf_b);
double binned_expected_wasserstein1(std::span<const double> cdf_reference, double bin_width, double n_a,
                                    double n_b);

}  // namespace calo::physics
