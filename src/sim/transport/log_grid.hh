#pragma once
// Tables on a uniform grid in ln(E), linear interpolation between nodes: one log() per
// lookup of the grid point, then every table of the material reuses it.
#include <cmath>
#include <vector>

namespace calo::sim {

/// Position of an energy on the grid: node index and fraction towards the next node.
struct GridPoint {
  int index;
  double fraction;
};

class LogGrid {
 public:
  LogGrid() = default;
  LogGrid(double e_min, double e_max, int bins_per_decade) : e_min_(e_min), log_e_min_(std::log(e_min)) {
    const double decades = std::log10(e_max / e_min);
    bins_ = static_cast<int>(std::ceil(decades * bins_per_decade));
    dlog_ = std::log(e_max / e_min) / bins_;
    inv_dlog_ = 1.0 / dlog_;
  }
  int nodes() const { return bins_ + 1; }
  double energy(int node) const { return std::exp(log_e_min_ + node * dlog_); }
  double e_min() const { return e_min_; }
  double e_max() const { return energy(bins_); }

  GridPoint locate(double e) const {
    double x = (std::log(e) - log_e_min_) * inv_dlog_;
    if (x <= 0) return {0, 0.0};
    if (x >= bins_) return {bins_ - 1, 1.0};
    const int i = static_cast<int>(x);
    return {i, x - i};
  }

 private:
  double e_min_ = 1, log_e_min_ = 0, dlog_ = 1, inv_dlog_ = 1;
  int bins_ = 1;
};

/// Values of one quantity at the nodes of a LogGrid.
class GridTable {
 public:
  GridTable() = default;
  explicit GridTable(std::vector<double> values) : v_(std::move(values)) {}
  double operator()(GridPoint p) const { return v_[p.index] + p.fraction * (v_[p.index + 1] - v_[p.index]); }
  double at_node(int i) const { return v_[i]; }
  const std::vector<double>& values() const { return v_; }

 private:
  std::vector<double> v_;
};

}  // namespace calo::sim
