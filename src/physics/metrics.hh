#pragma once
// The metrics of one observable (docs/validation.md, "Metrics"), and what statistics alone
// would give for them.
#include <cstdint>
#include <span>
#include <vector>

#include "physics/sample_accumulator.hh"
#include "physics/validation.hh"

namespace calo::physics {

/// Metrics with every field "not applicable" (NaN, ndf 0).
Metrics not_applicable();

/// Separation power of two histograms normalised to unit sum: 1/2 sum (a - b)^2 / (a + b)
/// over the bins where a + b > 0.
double separation_power(std::span<const double> a, std::span<const double> b);

/// Distribution metrics (relative error of the mean, W1, KS) of sorted per-event values,
/// candidate against reference.
Metrics distribution_metrics(std::span<const double> candidate_sorted,
                             std::span<const double> reference_sorted);

/// Expected distribution metrics for n_c and n_r events drawn from the reference.
Metrics expected_distribution_metrics(std::span<const double> reference_sorted, double n_c, double n_r);

/// Populated positions of a reference profile: mean > 0, known to 30 % or better.
std::vector<bool> populated(std::span<const ProfilePoint> reference);

/// Profile metrics: relative error of the sum over positions (all positions), mean relative
/// error |y_c - y_r| / denominator and chi2/ndf over the populated positions, and the core
/// mean relative error of the normalised profiles over the positions holding > 1 % of the
/// denominator's sum. denominator is the reference mean profile (the baseline passes the full
/// reference, not half B).
Metrics profile_metrics(std::span<const ProfilePoint> candidate, std::span<const ProfilePoint> reference,
                        std::span<const ProfilePoint> denominator, const std::vector<bool>& populated);

/// Expected profile metrics when the candidate is drawn from the reference:
/// r_over_c[i] = n_r / n_c at position i (the candidate's error is the reference's times sqrt of it).
Metrics expected_profile_metrics(std::span<const ProfilePoint> reference, std::span<const double> r_over_c,
                                 const std::vector<bool>& populated);

}  // namespace calo::physics
