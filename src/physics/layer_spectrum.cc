#include "physics/layer_spectrum.hh"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace calo::physics {

LayerSpectrum::LayerSpectrum(std::size_t nx, std::size_t ny, std::size_t layers, std::size_t layer,
                             double scale)
    : nx_(nx), ny_(ny), nz_(layers), layer_(layer), scale_(scale) {
  if (layer >= layers) throw std::invalid_argument("LayerSpectrum: layer beyond the grid");
}

void LayerSpectrum::add(const float* cells) {
  double sum = 0;
  for (std::size_t x = 0; x < nx_; ++x)
    for (std::size_t y = 0; y < ny_; ++y) sum += cells[(x * ny_ + y) * nz_ + layer_];
  window_.push_back(scale_ * sum);
  central_.push_back(scale_ * cells[((nx_ / 2) * ny_ + ny_ / 2) * nz_ + layer_]);
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) throw std::invalid_argument("quantile of no values");
  if (!(q >= 0 && q <= 1)) throw std::invalid_argument("quantile outside [0, 1]");
  const double at = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  const double a = values[lo];
  const double b =
      hi == lo ? a : *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1, values.end());
  return a + (at - static_cast<double>(lo)) * (b - a);
}

std::vector<double> binned_fractions(const std::vector<double>& values, const std::vector<double>& edges) {
  std::vector<double> f(edges.size() + 1, 0.0);
  if (values.empty()) return f;
  for (const double v : values) {
    const auto bin = std::upper_bound(edges.begin(), edges.end(), v) - edges.begin();
    f[static_cast<std::size_t>(bin)] += 1;
  }
  for (auto& x : f) x /= static_cast<double>(values.size());
  return f;
}

}  // namespace calo::physics
