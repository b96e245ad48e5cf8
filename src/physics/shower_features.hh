#pragma once
// What is measured on one shower (docs/validation.md, "Observables"): per-event scalars and
// per-event profile vectors, computed in one pass over the cells, O(cells), no allocation.
#include <array>
#include <cstddef>
#include <vector>

namespace calo::physics {

/// Thresholds of the hit-multiplicity observables [GeV].
inline constexpr std::array<double, 3> kHitThresholdsGev{1e-4, 3e-4, 1e-3};
/// Cells at or below this are empty for the cell spectrum [GeV].
inline constexpr double kCellFloorGev = 1e-6;
/// Cell-energy spectrum: log10(E / GeV) from -6 to 2 in bins of 0.1 (overflow in the last).
inline constexpr double kSpectrumLog10Lo = -6.0;
inline constexpr int kSpectrumBinsPerDecade = 10;
inline constexpr int kSpectrumBins = 80;
/// Sparsity thresholds 10^(-6 + k/2) GeV, k = 0..10: every 5th spectrum edge.
inline constexpr int kSparsityThresholds = 11;
inline constexpr int kSparsityEdgeStep = 5;

/// Per-event scalars (the distributions).
enum Scalar : int {
  kSampledFraction,  ///< E_sum / E_p
  kHits1e4,          ///< cells > 1e-4 GeV
  kHits3e4,          ///< cells > 3e-4 GeV
  kHits1e3,          ///< cells > 1e-3 GeV
  kMaxLayer,         ///< layer with the largest deposit
  kMoment1X,
  kMoment1Y,
  kMoment1Z,  ///< energy-weighted mean index [cells]
  kMoment2X,
  kMoment2Y,
  kMoment2Z,  ///< energy-weighted r.m.s. width [cells]
  kScalarCount
};

/// Per-event vectors (the profiles); each is a slice of ShowerFeatures::profile.
enum Profile : int {
  kLongitudinal,       ///< energy per layer [GeV]
  kTransverseX,        ///< energy per x index [GeV]
  kTransverseY,        ///< energy per y index [GeV]
  kLongitudinalShape,  ///< energy per layer / E_sum
  kTransverseXShape,   ///< energy per x index / E_sum
  kTransverseYShape,   ///< energy per y index / E_sum
  kSparsity,           ///< fraction of cells above each sparsity threshold
  kSpectrum,           ///< number of cells per spectrum bin
  kProfileCount
};

/// Where each profile lies in the flat per-event vector.
struct ProfileLayout {
  ProfileLayout(std::size_t nx, std::size_t ny, std::size_t nz);
  std::array<std::size_t, kProfileCount> offset{}, length{};
  std::size_t size = 0;
};

/// Everything measured on one shower.
struct ShowerFeatures {
  std::array<double, kScalarCount> scalar{};
  std::vector<double> profile;  ///< ProfileLayout slices
  double cell_energy = 0;       ///< summed energy of the cells > kCellFloorGev [GeV]
  double cell_count = 0;        ///< number of those cells
  double cell_energy2 = 0;      ///< summed squared energy of those cells [GeV^2]
};

/// Measures showers of one grid.
class FeatureExtractor {
 public:
  FeatureExtractor(std::size_t nx, std::size_t ny, std::size_t nz);

  /// cells: [nx][ny][nz] deposited energy [GeV], all finite; primary_gev > 0. out.profile is
  /// resized once and reused. Returns E_sum [GeV] (double-precision sum of the cells).
  double extract(const float* cells, double primary_gev, ShowerFeatures& out) const;

  const ProfileLayout& layout() const { return layout_; }

 private:
  std::size_t nx_, ny_, nz_;
  ProfileLayout layout_;
};

}  // namespace calo::physics
