#pragma once
// What one shower set keeps of the showers in one energy bin: the per-event values of every
// scalar (the distributions need them for W1 and KS) and the sums and sums of squares of the
// per-event profiles (means and their errors). Memory: kScalarCount doubles per event plus
// fixed-size sums.
#include <array>
#include <cstdint>
#include <vector>

#include "physics/shower_features.hh"

namespace calo::physics {

struct SampleAccumulator {
  std::uint64_t events = 0;
  bool keep_values = true;                               ///< false: sums only (baseline splits)
  std::array<std::vector<double>, kScalarCount> values;  ///< per-event scalars, in file order
  std::vector<double> sum, sum2;                         ///< per profile position (ProfileLayout)
  /// Per-event sums of the cell spectrum (ratio estimator of the mean cell energy):
  /// S = energy of the cells above the floor, C = their number.
  double s = 0, c = 0, ss = 0, cc = 0, sc = 0;
  double cell_e2 = 0;  ///< sum over cells of E^2 [GeV^2] (spread of the cell energies)

  explicit SampleAccumulator(std::size_t profile_size = 0, bool keep = true)
      : keep_values(keep), sum(profile_size), sum2(profile_size) {}
  void add(const ShowerFeatures& f);
};

/// Mean and its statistical error of one profile position.
struct ProfilePoint {
  double mean = 0, error = 0;
};
/// The mean profile slice [offset, offset + length) with errors std / sqrt(n).
std::vector<ProfilePoint> profile_means(const SampleAccumulator& a, std::size_t offset, std::size_t length);

}  // namespace calo::physics
