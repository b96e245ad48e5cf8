// Range cut -> photon production threshold, Geant4 convention (G4RToEConvForGamma): the
// photon "range" is 5 absorption lengths, 5 / Sigma(E), Sigma = photoelectric + Compton + pair.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/units.hh"
#include "sim/em/photon/photon_models.hh"

namespace calo::sim {

using namespace calo::units;

namespace {
constexpr double kLowest = 990 * eV;
constexpr double kHighest = 10 * GeV;
constexpr int kPerDecade = 200;

double total_macro_xs(const Material& m, double k) {
  double sum = 0;
  for (const auto& el : m.elements) {
    sum += el.atoms_per_volume * (photoelectric_xs_per_atom(el.z, k) +
                                  el.z * klein_nishina_xs_per_electron(k) + pair_xs_per_atom(el.z, k));
  }
  return sum;
}
}  // namespace

/// Absorption edges make 5/Sigma non-monotonic (it drops at each edge); the range is made
/// monotonic by taking, at each energy, the smallest value at that or any higher energy, so
/// that every photon above the threshold has 5/Sigma >= cut (the highest crossing).
double gamma_production_threshold(const Material& material, double range_cut) {
  const int n = int(std::ceil(std::log10(kHighest / kLowest) * kPerDecade)) + 1;
  const double dlog = std::log(kHighest / kLowest) / (n - 1);
  std::vector<double> range(n);
  for (int i = n - 1; i >= 0; --i) {
    const double r = 5.0 / total_macro_xs(material, kLowest * std::exp(i * dlog));
    range[i] = i == n - 1 ? r : std::min(r, range[i + 1]);
  }
  if (range[0] >= range_cut) return kLowest;
  for (int i = 1; i < n; ++i) {
    if (range[i] >= range_cut) {  // log-log interpolation between i-1 and i
      const double w = range[i] > range[i - 1]
                           ? std::log(range_cut / range[i - 1]) / std::log(range[i] / range[i - 1])
                           : 1.0;
      return kLowest * std::exp((i - 1 + w) * dlog);
    }
  }
  return kHighest;
}

}  // namespace calo::sim
