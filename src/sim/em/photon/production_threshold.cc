// Range cut -> photon production threshold in Geant4's convention. A photon has no range, so
// Geant4 defines its "range" as 5 absorption lengths, 5 / Sigma(E), with Sigma from a coarse
// empirical per-element parametrisation of photoelectric + Compton + pair that exists only
// for this conversion (G4RToEConvForGamma::ComputeValue, scanned by
// G4VRangeToEnergyConverter::ConvertForGamma, Geant4 11). That parametrisation, not the
// physics cross sections, is what "a 0.7 mm cut" means in every Geant4 couple table we compare
// against, so it is implemented here; transport keeps the XCOM/Klein-Nishina/Bethe-Heitler
// cross sections. See docs/physics/photon.md.
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "core/units.hh"
#include "sim/em/photon/photon_models.hh"

namespace calo::sim {

using namespace calo::units;

namespace {
// Geant4's energy grid for the conversion: G4VUserPhysicsList sets the range 0.99 keV -
// 100 TeV, the converter caps the top at 10 GeV and uses 50 points per decade (rounded number
// of decades: 7, so 350 intervals). The grid matters: the threshold is interpolated linearly
// in E between grid nodes, not on the smooth curve.
constexpr double kLowest = 990 * eV;
constexpr double kHighest = 10 * GeV;
constexpr int kPerDecade = 50;

/// Geant4's per-atom "absorption" cross section for the range-cut conversion, written from
/// the formula in G4RToEConvForGamma: piecewise log-parabolic in ln E, anchored at 200 keV
/// (s200), at a low-energy knee tlow (power law in E below it, frozen below 1 keV where it
/// reaches 300 Z^2 b) and at the cross-section minimum tmin (3.6 MeV in W, 19 MeV in Si),
/// rising as ln E above it. Coefficients are Geant4's (barn, MeV). Smooth, no absorption edges.
class CutAbsorptionXs {
 public:
  explicit CutAbsorptionXs(int z) : z_(z) {
    const double zd = z, lz = std::log(zd);
    t_min_ = (0.552 + 218.5 / zd + 557.17 / (zd * zd)) * MeV;
    t_low_ = 0.2 * std::exp(-7.355 / std::sqrt(zd)) * MeV;
    s_min_ = (0.01239 + 0.005585 * lz - 0.000923 * lz * lz) * std::pow(zd, 1.5);
    s_200_ = (0.2651 - 0.1501 * lz + 0.02283 * lz * lz) * zd * zd;
    const double l_min = std::log(t_min_ / kT200);
    c_min_ = std::log(s_200_ / s_min_) / (l_min * l_min);
    const double l_low = std::log(kT200 / t_low_);
    s_low_ = s_200_ * std::exp(0.042 * zd * l_low * l_low);
    c_low_ = std::log(300.0 * zd * zd / s_low_) / std::log(t_low_ / kT1);
    c_high_ = (7.55e-5 - 0.0542e-5 * zd) * zd * zd * zd / std::log(kT100M / t_min_);
  }

  /// [mm^2] at photon energy k [MeV].
  double operator()(double k) const {
    double b;  // [barn]
    if (k < t_low_) {
      b = s_low_ * std::pow(t_low_ / std::max(k, kT1), c_low_);
    } else if (k < kT200) {
      const double x = std::log(kT200 / k);
      b = s_200_ * std::exp(0.042 * z_ * x * x);
    } else if (k < t_min_) {
      const double x = std::log(t_min_ / k);
      b = s_min_ * std::exp(c_min_ * x * x);
    } else {
      b = s_min_ + c_high_ * std::log(k / t_min_);
    }
    return b * barn;
  }

 private:
  static constexpr double kT1 = 1 * keV, kT200 = 200 * keV, kT100M = 100 * MeV;
  int z_;
  double t_min_, t_low_, s_min_, s_200_, c_min_, s_low_, c_low_, c_high_;
};
}  // namespace

/// Compounds and mixtures as Geant4: Sigma = sum over elements of atoms per volume x the
/// per-element parametrisation (no Bragg-like correction). Scanning up from 990 eV, the
/// threshold is the first grid crossing of 5/Sigma = cut, linearly interpolated in E; 5/Sigma
/// rises to a maximum near the cross-section minimum (MeV) and falls again with pair
/// production, so the lower crossing is the one Geant4 returns. Clamped to [990 eV, 10 GeV].
double gamma_production_threshold(const Material& material, double range_cut) {
  std::vector<std::pair<double, CutAbsorptionXs>> elements;  // (atoms per volume, sigma)
  elements.reserve(material.elements.size());
  for (const auto& el : material.elements) elements.emplace_back(el.atoms_per_volume, CutAbsorptionXs(el.z));
  auto range = [&](double k) {
    double sigma = 0;
    for (const auto& [n, xs] : elements) sigma += n * xs(k);
    return 5.0 / sigma;
  };

  const int n = kPerDecade * static_cast<int>(std::lround(std::log10(kHighest / kLowest)));
  const double dlog = std::log(kHighest / kLowest) / n;
  double e_prev = kLowest, r_prev = range(kLowest);
  if (r_prev >= range_cut) return kLowest;
  for (int i = 1; i <= n; ++i) {
    const double e = i == n ? kHighest : kLowest * std::exp(i * dlog);
    const double r = range(e);
    if (r >= range_cut) return e_prev + (e - e_prev) * (range_cut - r_prev) / (r - r_prev);
    e_prev = e;
    r_prev = r;
  }
  return kHighest;  // cut longer than any photon "range": no photon is produced
}

}  // namespace calo::sim
