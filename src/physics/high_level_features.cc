// One pass over the cells: per-layer energy-weighted moments in x, y and r and hit counts.
#include "physics/high_level_features.hh"

#include <algorithm>
#include <cmath>

#include "physics/shower_features.hh"

namespace calo::physics {

namespace {
constexpr std::size_t kSums = 7;
}

HighLevelFeatures::HighLevelFeatures(std::size_t nx, std::size_t ny, std::size_t nz)
    : nx_(nx), ny_(ny), nz_(nz), sums_(kSums * nz) {}

std::vector<std::string> HighLevelFeatures::names() const {
  std::vector<std::string> n{"log10_e_inc", "log10_e_sum"};
  for (const char* group : {"log10_e_layer_", "centre_x_", "centre_y_", "width_x_", "width_y_", "sparsity_",
                            "centre_r_", "width_r_"})
    for (std::size_t l = 0; l < nz_; ++l) n.push_back(group + std::to_string(l));
  return n;
}

void HighLevelFeatures::extract(const float* cells, double incident_gev, double* out) const {
  std::fill(sums_.begin(), sums_.end(), 0.0);
  const double cx = 0.5 * double(nx_ - 1), cy = 0.5 * double(ny_ - 1);
  for (std::size_t ix = 0; ix < nx_; ++ix) {
    const double x = double(ix) - cx;
    for (std::size_t iy = 0; iy < ny_; ++iy) {
      const double y = double(iy) - cy, r = std::sqrt(x * x + y * y);
      const float* row = cells + (ix * ny_ + iy) * nz_;
      for (std::size_t l = 0; l < nz_; ++l) {
        const double e = row[l];
        if (!(e > kCellFloorGev)) continue;  // most cells are empty
        double* s = sums_.data() + kSums * l;
        s[0] += e;
        s[1] += x * e;
        s[2] += x * x * e;
        s[3] += y * e;
        s[4] += y * y * e;
        s[5] += 1;
        s[6] += r * e;
      }
    }
  }
  double total = 0;
  for (std::size_t l = 0; l < nz_; ++l) total += sums_[kSums * l];
  out[0] = std::log10(incident_gev);
  out[1] = std::log10(total + kLogEnergyFloorGev);
  const double cells_per_layer = double(nx_ * ny_);
  for (std::size_t l = 0; l < nz_; ++l) {
    const double* s = sums_.data() + kSums * l;
    const double e = s[0];
    double mx = 0, my = 0, wx = 0, wy = 0, mr = 0, wr = 0;
    if (e > 0) {
      mx = s[1] / e;
      my = s[3] / e;
      wx = std::sqrt(std::max(0.0, s[2] / e - mx * mx));
      wy = std::sqrt(std::max(0.0, s[4] / e - my * my));
      mr = s[6] / e;
      wr = std::sqrt(std::max(0.0, (s[2] + s[4]) / e - mr * mr));  // r^2 = x^2 + y^2
    }
    out[2 + l] = std::log10(std::max(e, 0.0) + kLogEnergyFloorGev);
    out[2 + nz_ + l] = mx;
    out[2 + 2 * nz_ + l] = my;
    out[2 + 3 * nz_ + l] = wx;
    out[2 + 4 * nz_ + l] = wy;
    out[2 + 5 * nz_ + l] = 1.0 - s[5] / cells_per_layer;
    out[2 + 6 * nz_ + l] = mr;
    out[2 + 7 * nz_ + l] = wr;
  }
}

}  // namespace calo::physics
