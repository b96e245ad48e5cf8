// Accumulation of per-event features into one set's sums and value lists.
#include "physics/sample_accumulator.hh"

#include <algorithm>
#include <cmath>

namespace calo::physics {

void SampleAccumulator::add(const ShowerFeatures& f) {
  ++events;
  if (keep_values) {
    for (int k = 0; k < kScalarCount; ++k) values[k].push_back(f.scalar[k]);
  }
  for (std::size_t i = 0; i < sum.size(); ++i) {
    sum[i] += f.profile[i];
    sum2[i] += f.profile[i] * f.profile[i];
  }
  s += f.cell_energy;
  c += f.cell_count;
  ss += f.cell_energy * f.cell_energy;
  cc += f.cell_count * f.cell_count;
  sc += f.cell_energy * f.cell_count;
  cell_e2 += f.cell_energy2;
}

std::vector<ProfilePoint> profile_means(const SampleAccumulator& a, std::size_t offset, std::size_t length) {
  std::vector<ProfilePoint> points(length);
  const double n = double(a.events);
  if (n <= 0) return points;
  for (std::size_t i = 0; i < length; ++i) {
    const double mean = a.sum[offset + i] / n;
    const double var = n > 1 ? std::max(0.0, (a.sum2[offset + i] - n * mean * mean) / (n - 1)) : 0.0;
    points[i] = {mean, std::sqrt(var / n)};
  }
  return points;
}

}  // namespace calo::physics
