// Production threshold of e-/e+ from a range cut: the kinetic energy whose CSDA range,
// computed from the total (collision + radiative) stopping power, equals the cut.
// See docs/physics/electron.md for the comparison with Geant4's G4RToEConvForElectron.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/units.hh"
#include "sim/em/electron/electron_models.hh"

namespace calo::sim {

using namespace calo::units;

double electron_production_threshold(const Material& material, double range_cut, bool positron) {
  constexpr double t_floor = 990.0 * eV, t_top = 10.0 * GeV;
  constexpr int per_decade = 50;
  const int n = static_cast<int>(per_decade * std::log10(t_top / t_floor)) + 1;
  const double dlog = std::log(t_top / t_floor) / (n - 1);
  const BremsCrossSection brems(material, positron);
  auto stopping = [&](double t) {
    return collision_stopping_power(material, t, positron) + brems.energy_loss(t, 0.0, t);
  };
  // Range at the floor: S ~ sqrt(T) below a few keV is not physical for the range; take
  // T / S(T) (the range of a constant-loss particle), a small fraction of any useful cut.
  double range = t_floor / stopping(t_floor);
  if (range >= range_cut) return t_floor;
  double t_prev = t_floor, f_prev = t_floor / stopping(t_floor);  // dR/dlnT = T / S
  for (int i = 1; i < n; ++i) {
    const double t = t_floor * std::exp(i * dlog);
    const double f = t / stopping(t);
    const double step = 0.5 * (f + f_prev) * dlog;
    if (range + step >= range_cut) {  // interpolate within the step (dR/dlnT ~ linear)
      const double frac = (range_cut - range) / step;
      return t_prev * std::exp(frac * dlog);
    }
    range += step;
    t_prev = t;
    f_prev = f;
  }
  return t_top;
}

}  // namespace calo::sim
