// One pass over the cells of a shower: sums per axis, hit counts, spectrum, then moments.
#include "physics/shower_features.hh"

#include <algorithm>
#include <cmath>

namespace calo::physics {

ProfileLayout::ProfileLayout(std::size_t nx, std::size_t ny, std::size_t nz) {
  length = {nz, nx, ny, nz, nx, ny, std::size_t(kSparsityThresholds), std::size_t(kSpectrumBins)};
  for (int p = 0; p < kProfileCount; ++p) {
    offset[p] = size;
    size += length[p];
  }
}

FeatureExtractor::FeatureExtractor(std::size_t nx, std::size_t ny, std::size_t nz)
    : nx_(nx), ny_(ny), nz_(nz), layout_(nx, ny, nz) {}

namespace {

/// Energy-weighted mean and r.m.s. width of an index along one axis [cells]; for an empty
/// shower (sum <= 0) the centre of the axis and zero width.
void moments(const double* energy, std::size_t n, double sum, double& mean, double& width) {
  if (!(sum > 0)) {
    mean = 0.5 * double(n - 1);
    width = 0;
    return;
  }
  double m1 = 0;
  for (std::size_t i = 0; i < n; ++i) m1 += double(i) * energy[i];
  m1 /= sum;
  double m2 = 0;
  for (std::size_t i = 0; i < n; ++i) m2 += (double(i) - m1) * (double(i) - m1) * energy[i];
  mean = m1;
  width = std::sqrt(std::max(0.0, m2 / sum));
}

}  // namespace

double FeatureExtractor::extract(const float* cells, double primary_gev, ShowerFeatures& out) const {
  const ProfileLayout& L = layout_;
  out.profile.assign(L.size, 0.0);
  double* z = out.profile.data() + L.offset[kLongitudinal];
  double* x = out.profile.data() + L.offset[kTransverseX];
  double* y = out.profile.data() + L.offset[kTransverseY];
  double* spectrum = out.profile.data() + L.offset[kSpectrum];
  std::array<double, 3> hits{};
  double cell_energy = 0, cell_count = 0, cell_energy2 = 0;

  for (std::size_t ix = 0; ix < nx_; ++ix) {
    double x_sum = 0;
    for (std::size_t iy = 0; iy < ny_; ++iy) {
      const float* row = cells + (ix * ny_ + iy) * nz_;
      double row_sum = 0;
      for (std::size_t iz = 0; iz < nz_; ++iz) {
        const double e = row[iz];
        z[iz] += e;
        row_sum += e;
        if (e > kCellFloorGev) {  // the rare branch: most cells of a shower are empty
          cell_energy += e;
          cell_count += 1;
          cell_energy2 += e * e;
          for (std::size_t t = 0; t < hits.size(); ++t) hits[t] += e > kHitThresholdsGev[t];
          // Clamped as a double: an infinite cell (rejected by the caller) must not overflow int.
          const double bin = std::floor((std::log10(e) - kSpectrumLog10Lo) * kSpectrumBinsPerDecade);
          spectrum[int(std::clamp(bin, 0.0, double(kSpectrumBins - 1)))] += 1;
        }
      }
      y[iy] += row_sum;
      x_sum += row_sum;
    }
    x[ix] = x_sum;
  }

  double sum = 0;
  for (std::size_t iz = 0; iz < nz_; ++iz) sum += z[iz];

  // Shapes: the profiles divided by this shower's E_sum (zero for an empty shower).
  const double inverse = sum > 0 ? 1.0 / sum : 0.0;
  for (int p = 0; p < 3; ++p) {
    const double* from = out.profile.data() + L.offset[kLongitudinal + p];
    double* to = out.profile.data() + L.offset[kLongitudinalShape + p];
    for (std::size_t i = 0; i < L.length[p]; ++i) to[i] = from[i] * inverse;
  }
  // Sparsity: cells above 10^(-6 + k/2) GeV = spectrum bins from edge 5k on, over all cells.
  double* sparsity = out.profile.data() + L.offset[kSparsity];
  const double all_cells = double(nx_ * ny_ * nz_);
  double above = 0;
  int k = kSparsityThresholds - 1;
  for (int bin = kSpectrumBins - 1; bin >= 0 && k >= 0; --bin) {
    above += spectrum[bin];
    if (bin == k * kSparsityEdgeStep) sparsity[k--] = above / all_cells;
  }

  auto& s = out.scalar;
  s[kSampledFraction] = sum / primary_gev;
  s[kHits1e4] = hits[0];
  s[kHits3e4] = hits[1];
  s[kHits1e3] = hits[2];
  s[kMaxLayer] = double(std::max_element(z, z + nz_) - z);
  moments(x, nx_, sum, s[kMoment1X], s[kMoment2X]);
  moments(y, ny_, sum, s[kMoment1Y], s[kMoment2Y]);
  moments(z, nz_, sum, s[kMoment1Z], s[kMoment2Z]);
  out.cell_energy = cell_energy;
  out.cell_count = cell_count;
  out.cell_energy2 = cell_energy2;
  return sum;
}

}  // namespace calo::physics
