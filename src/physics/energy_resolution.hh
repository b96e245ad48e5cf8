#pragma once
// Energy reconstruction of a sampling calorimeter and its resolution, as test-beam papers
// measure it (the CALICE Si-W ECAL prototype, docs/physics.md "CALICE"): a weighted sum of
// the layers' hits above a threshold, a Gaussian fit of each beam energy's peak, and the fit
// sigma/E = a / sqrt(E) (+) b over the beam energies.
#include <cstddef>
#include <span>
#include <vector>

namespace calo::physics {

/// E_rec = sum over layers l of weight[l] x (sum of the cells of layer l above threshold).
/// Cells are the 3DGAN layout (nx, ny, layers), row-major, in the unit of the threshold.
struct LayerWeightedSum {
  std::vector<double> layer_weights;  ///< one per layer
  double cell_threshold = 0;          ///< cells at or below it are not hits

  double operator()(std::span<const float> cells, std::size_t nx, std::size_t ny) const;
};

/// Mean and width of the Gaussian core of a peak: the moments of the values within
/// mean +- k sigma, corrected for the truncation of a Gaussian at +-k sigma, iterated to
/// their fixed point. Unbinned; equal to a fit of a Gaussian over +-k sigma for Gaussian data.
struct GaussianCore {
  double mean = 0, sigma = 0;
  double mean_error = 0, sigma_error = 0;  ///< statistical, from the values used
  std::size_t used = 0;                    ///< values inside the final window
};
GaussianCore gaussian_core(std::span<const double> values, double k = 2.0);

/// One beam energy's point: E [GeV], the peak's mean and sigma (any unit) and their errors.
struct ResolutionPoint {
  double energy = 0;
  GaussianCore peak;
};

/// sigma/E = a / sqrt(E / GeV) (+) b (added in quadrature): a weighted least-squares fit of
/// (sigma/mean)^2 = a^2 / E + b^2, linear in a^2 and b^2. Needs >= 2 energies.
struct ResolutionFit {
  double stochastic = 0, constant = 0;  ///< a [sqrt(GeV)] and b, as fractions (0.166 = 16.6 %)
  double stochastic_error = 0, constant_error = 0;
  double chi2 = 0;
  int ndf = 0;
};
ResolutionFit fit_resolution(std::span<const ResolutionPoint> points);

/// Linearity: mean = slope x E + offset (weighted by the means' errors), and each point's
/// relative deviation from that line, mean / (slope E + offset) - 1.
struct LinearityFit {
  double slope = 0, offset = 0;
  std::vector<double> deviation;  ///< per point, in the order given
};
LinearityFit fit_linearity(std::span<const ResolutionPoint> points);

}  // namespace calo::physics
