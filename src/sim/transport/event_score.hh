#pragma once
// What one event leaves behind: the readout cells of the window and the energy balance.
#include <vector>

#include "sim/geometry/layer_stack.hh"

namespace calo::sim {

/// The readout window: nx x ny cells of the stack's pitch centred on the gun axis (the axis
/// hits the centre of cell (nx/2, ny/2)), one layer per readout layer.
struct ReadoutGrid {
  int nx = 25, ny = 25, layers = 0;
  double cell_size = 0;  ///< [mm]
  std::size_t cells() const { return std::size_t(nx) * ny * layers; }
};

/// Where energy leaves the stack: back through the front face, out of the rear, sideways.
enum class Exit { front = 0, back = 1, side = 2 };

struct EventScore {
  std::vector<double> cells;              ///< [MeV], index ((x * ny) + y) * layers + layer
  std::vector<double> material_deposit;   ///< [MeV] deposited per material of the stack
  double sensitive_deposit = 0;           ///< [MeV] in all sensitive slabs, window or not
  double escaped = 0;                     ///< [MeV] kinetic energy leaving the stack
  double escaped_by_exit[3] = {0, 0, 0};  ///< [MeV] the same, by Exit
  double rest_mass_balance = 0;           ///< [MeV] 2 m c^2 per pair created minus per e+ annihilated
  long steps = 0;                         ///< transport steps taken (a cost figure)

  void reset(const ReadoutGrid& grid, std::size_t materials) {
    cells.assign(grid.cells(), 0.0);
    material_deposit.assign(materials, 0.0);
    sensitive_deposit = escaped = rest_mass_balance = 0;
    escaped_by_exit[0] = escaped_by_exit[1] = escaped_by_exit[2] = 0;
    steps = 0;
  }
  double total_deposit() const {
    double s = 0;
    for (double d : material_deposit) s += d;
    return s;
  }
};

}  // namespace calo::sim
