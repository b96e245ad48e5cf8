#pragma once
// Fréchet and kernel physics distances (FPD, KPD; Kansal et al., arXiv 2211.10295) between two
// sets of feature vectors, as the jetnet library computes them (jetnet.evaluation.fpd/kpd):
// features divided by the reference's largest magnitude per feature; FPD = the Fréchet
// distance of Gaussians fitted to batches of n showers, averaged over batches at sizes evenly
// spaced in 1/n and extrapolated linearly to 1/n = 0 (intercept and slope >= 0); KPD = the
// unbiased squared MMD with the kernel (x.y / d + 1)^4, median over batches, error half the
// 16.275-83.725 % inter-quantile range. Differences from jetnet (docs/validation.md): batches
// are drawn WITHOUT replacement, and the sizes are capped by the smaller set.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "physics/two_sample_result.hh"

namespace calo::physics {

/// Row-major [rows][cols] feature vectors.
struct FeatureMatrix {
  std::size_t rows = 0, cols = 0;
  std::vector<double> data;
  const double* row(std::size_t i) const { return data.data() + i * cols; }
};

/// jetnet's _normalise_features: each column of both divided by the largest absolute value of
/// that column in the reference (1 where that is 0).
void normalise_by_reference(FeatureMatrix& reference, FeatureMatrix& candidate);

struct FpdOptions {
  std::size_t min_samples = 20000, max_samples = 50000, batches = 20, points = 10;
  std::uint64_t seed = 42;
  unsigned threads = 0;  ///< 0: the hardware's
};
struct KpdOptions {
  std::size_t batch_size = 5000, batches = 10;
  std::uint64_t seed = 42;
  unsigned threads = 0;
};

/// The sizes the CaloChallenge's evaluate.py passes to jetnet (FPD from 10000 to jetnet's
/// 50000, KPD batches of 10000), scaled down for sets of n (the smaller) showers:
/// max_samples = min(50000, n), min_samples = min(10000, 0.4 max_samples) (0.4: jetnet's
/// default 20000 / 50000); KPD batches of min(10000, n / 2).
FpdOptions fpd_options_for(std::size_t n);
KpdOptions kpd_options_for(std::size_t n);

/// The batch sizes of FPD: jetnet's int(1 / linspace(1/min, 1/max, points)).
std::vector<std::size_t> fpd_batch_sizes(const FpdOptions& options);

/// Rows of the reference (x) and of the candidate (y) that make one batch.
struct Draw {
  std::vector<std::size_t> x, y;
};
/// Every FPD batch, size by size (points x batches); every KPD batch. Each is drawn without
/// replacement, from the options' seed; n_x, n_y: rows of the two sets.
std::vector<Draw> fpd_draws(std::size_t n_x, std::size_t n_y, const FpdOptions& options);
std::vector<Draw> kpd_draws(std::size_t n_x, std::size_t n_y, const KpdOptions& options);

/// Fréchet distance between Gaussians with the means and covariances (n - 1 normalised) of
/// the given rows: |mu_x - mu_y|^2 + tr(S_x + S_y - 2 (S_x S_y)^(1/2)).
double frechet_distance(const FeatureMatrix& x, std::span<const std::size_t> rows_x, const FeatureMatrix& y,
                        std::span<const std::size_t> rows_y);
/// The fluctuation of the two sets themselves in the Fréchet distance of all their rows, which
/// FPD's stated error (the 1/n fit's) leaves out: the delete-a-group jackknife over `blocks`
/// groups (rows r with r % blocks == g in each set; group g of both sets left out together),
/// sqrt((G - 1) / G sum_g (FD_-g - mean)^2). NaN when a set has fewer than 2 rows a group.
/// One pass over the rows (each group's moments, then combined without one group at a time).
double frechet_sets_error(const FeatureMatrix& x, const FeatureMatrix& y, std::size_t blocks = 10,
                          unsigned threads = 0);
/// Unbiased squared MMD with the polynomial kernel (x.y / d + 1)^4 of the given rows.
double mmd_poly_unbiased(const FeatureMatrix& x, std::span<const std::size_t> rows_x, const FeatureMatrix& y,
                         std::span<const std::size_t> rows_y);

/// Least-squares line value = a + b inverse_n with a, b >= 0 (scipy curve_fit with bounds);
/// returns a and sqrt(cov[a][a]) with cov = (J^T J)^-1 SSE / (points - 2).
Estimate fit_intercept(std::span<const double> inverse_n, std::span<const double> values);

/// FPD and KPD of already normalised features (x: reference, y: candidate).
Estimate fpd(const FeatureMatrix& x, const FeatureMatrix& y, const FpdOptions& options);
Estimate kpd(const FeatureMatrix& x, const FeatureMatrix& y, const KpdOptions& options);

/// The smallest set FPD/KPD accept: 2 batches of kpd_options_for must differ.
inline constexpr std::size_t kMinDistanceShowers = 20;

/// Everything validate reports: normalises copies of the features, FPD and KPD candidate vs
/// reference and reference even rows vs odd rows. Skipped (with the reason) when either set
/// has fewer than kMinDistanceShowers rows (the halves: 2 x that).
PhysicsDistances physics_distances(const FeatureMatrix& reference, const FeatureMatrix& candidate,
                                   std::uint64_t seed = 42);

}  // namespace calo::physics
