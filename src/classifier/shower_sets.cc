#include "classifier/shower_sets.hh"

#include <cmath>

namespace calo::classifier {

void ShowerSets::add(int set, const io::ShowerGrid& grid, const float* cells, double incident_gev) {
  if (!features_) {
    features_ = std::make_unique<physics::HighLevelFeatures>(grid.nx, grid.ny, grid.nz);
    scratch_.resize(features_->size());
  }
  ShowerRows& rows = sets_[set];
  rows.low_width = grid.cells() + 1;
  rows.high_width = features_->size();
  // Low level as the CaloChallenge feeds it: log10 of the incident energy, cells / E_inc.
  std::vector<float>& low = rows.low.emplace_back(rows.low_width);
  low[0] = float(std::log10(incident_gev));
  double sum = 0;
  for (std::size_t i = 0; i < grid.cells(); ++i) {
    low[i + 1] = float(cells[i] / incident_gev);
    sum += cells[i];
  }
  features_->extract(cells, incident_gev, scratch_.data());
  for (double v : scratch_) rows.high.push_back(float(v));
  rows.sampled_fraction.push_back(sum / incident_gev);
}

}  // namespace calo::classifier
