#pragma once
// The showers of the two sets as the classifier reads them, collected while validate streams
// the files (ValidationOptions::on_shower): per shower its low-level inputs (log10 E_inc and
// the cells over E_inc) and its high-level features (physics/high_level_features.hh).
// Memory: (cells + 1 + features) floats per shower.
#include <cstdint>
#include <memory>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "physics/high_level_features.hh"

namespace calo::classifier {

/// One set's showers, row by row.
struct ShowerRows {
  std::size_t low_width = 0, high_width = 0;
  /// One vector a shower (no reallocation of one large block while the files are read):
  /// [rows][low_width]; and [rows][high_width] in one block.
  std::vector<std::vector<float>> low;
  std::vector<float> high;
  std::vector<double> sampled_fraction;  ///< E_sum / E_inc per row
  std::size_t rows() const { return sampled_fraction.size(); }
};

class ShowerSets {
 public:
  /// Takes one shower of set 0 (reference) or 1 (candidate); the grid of every call must be
  /// the first call's (validate has checked both files against each other).
  void add(int set, const io::ShowerGrid& grid, const float* cells, double incident_gev);

  const ShowerRows& reference() const { return sets_[0]; }
  const ShowerRows& candidate() const { return sets_[1]; }

 private:
  ShowerRows sets_[2];
  std::unique_ptr<physics::HighLevelFeatures> features_;
  std::vector<double> scratch_;
};

}  // namespace calo::classifier
