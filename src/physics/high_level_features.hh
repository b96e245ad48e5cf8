#pragma once
// The high-level feature vector of one shower, as the CaloChallenge 2022 evaluation builds it
// for its high-level classifier and for FPD/KPD (docs/validation.md, "High-level features"):
// the incident and deposited energy, and per layer the energy, the centre of energy and the
// width in x, in y and in the distance r from the axis, and the sparsity.
#include <cstddef>
#include <string>
#include <vector>

namespace calo::physics {

/// Added to energies before log10 [GeV]: an empty layer gives -8, not -infinity.
inline constexpr double kLogEnergyFloorGev = 1e-8;

class HighLevelFeatures {
 public:
  HighLevelFeatures(std::size_t nx, std::size_t ny, std::size_t nz);

  /// 2 + 8 nz.
  std::size_t size() const { return 2 + 8 * nz_; }
  /// Names in vector order: "log10_e_inc", "log10_e_sum", "log10_e_layer_0", ...,
  /// "centre_x_0", ..., "centre_y_0", ..., "width_x_0", ..., "width_y_0", ..., "sparsity_0", ...,
  /// "centre_r_0", ..., "width_r_0", ...
  std::vector<std::string> names() const;

  /// cells: [nx][ny][nz] [GeV]; out: size() values. Cells at or below kCellFloorGev count as
  /// empty everywhere (the CaloChallenge zeroes cells below its readout threshold before any
  /// feature). Order: log10(E_inc), log10(E_sum + floor), then nz values each of
  /// log10(E_layer + floor), centre x, centre y [cells from the grid centre], r.m.s. width x,
  /// width y [cells] (0 for an empty layer), fraction of the layer's cells that are empty (the
  /// CaloChallenge's sparsity), centre and r.m.s. width in r = sqrt(x^2 + y^2) [cells] (0 for an
  /// empty layer).
  void extract(const float* cells, double incident_gev, double* out) const;

 private:
  std::size_t nx_, ny_, nz_;
  mutable std::vector<double> sums_;  // per layer: E, sum x E, sum x^2 E, sum y E, sum y^2 E, hits, sum r E
};

}  // namespace calo::physics
