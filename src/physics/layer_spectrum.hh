#pragma once
// The deposited-energy spectrum of one readout layer, shower by shower: the layer's window sum
// and its central cell (the cell on the beam axis). Issue 10 compares it between calo3dgan and
// the Geant4 development set (layer 0 of the W/Si stack is a 0.5 mm Si slab between two W
// plates): means agree or not for many reasons, the spectrum's upper quantiles show whether
// the large deposits (several or slow, stopping electrons) are there.
#include <array>
#include <cstddef>
#include <vector>

namespace calo::physics {

class LayerSpectrum {
 public:
  /// cells of one shower: [nx][ny][layers] (the 3DGAN layout), in any unit; what is recorded
  /// is that times `scale` (1e3: GeV cells recorded in MeV, without a converted copy).
  LayerSpectrum(std::size_t nx, std::size_t ny, std::size_t layers, std::size_t layer, double scale = 1.0);
  void add(const float* cells);

  std::size_t events() const { return window_.size(); }
  const std::vector<double>& window() const { return window_; }    ///< per shower, the unit of add() x scale
  const std::vector<double>& central() const { return central_; }  ///< per shower

 private:
  std::size_t nx_, ny_, nz_, layer_;
  double scale_;
  std::vector<double> window_, central_;
};

/// The q-quantile (0 <= q <= 1) of values by linear interpolation between order statistics
/// (Hyndman and Fan's definition 7, numpy's default). Throws std::invalid_argument when values
/// is empty or q is outside [0, 1].
double quantile(std::vector<double> values, double q);

/// Fractions of values in the bins [0, e0), [e0, e1), ..., [e_last, inf) for ascending edges.
std::vector<double> binned_fractions(const std::vector<double>& values, const std::vector<double>& edges);

}  // namespace calo::physics
