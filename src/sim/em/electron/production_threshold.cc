// Range cut -> e-/e+ production threshold in Geant4's convention. Geant4 does not convert a
// range cut with its physics stopping powers: G4RToEConvForElectron / G4RToEConvForPositron
// (Geant4 11) integrate a simplified per-element loss, a Bethe-type collision term with
// I = 16 Z^0.9 eV plus a crude bremsstrahlung term, on a fixed energy grid
// (G4VRangeToEnergyConverter::ConvertForElectron), and that is what "a 0.7 mm cut" means in
// every Geant4 couple table we compare against (G4_Si: e- 423.34 keV, e+ 409.007 keV). As for
// photons (photon/production_threshold.cc), the convention is reproduced here; transport keeps
// this project's stopping powers. See docs/physics/electron.md, "Production threshold".
#include <algorithm>
#include <cmath>

#include "core/units.hh"
#include "sim/em/electron/electron_models.hh"

namespace calo::sim {

using namespace calo::units;
using constants::electron_mass_c2;

namespace {

// Geant4's grid for the conversion, as for photons: 0.99 keV - 10 GeV, 50 points per decade
// (7 decades after rounding, 350 intervals); the threshold is interpolated linearly in E.
constexpr double kLowest = 990 * eV;
constexpr double kHighest = 10 * GeV;
constexpr int kPerDecade = 50;

/// The simplified loss of one atom of charge z for the conversion [MeV mm^2], written from the
/// formulas of G4RToEConvForElectron / G4RToEConvForPositron::ComputeValue: below 10 keV the
/// 10 keV value scaled by sqrt(10 keV / T).
double cut_loss_per_atom(int z, double t, bool positron) {
  constexpr double t_low = 10 * keV, t_high = 1 * GeV;
  const double zd = z;
  const double log_i = std::log(1.6e-5 * MeV * std::pow(zd, 0.9) / electron_mass_c2);
  const double tau_low = t_low / electron_mass_c2;
  const double tau = std::max(t, t_low) / electron_mass_c2;
  const double t1 = tau + 1, t2 = tau + 2, tsq = tau * tau, beta2 = tau * t2 / (t1 * t1);
  double f;
  if (!positron) {
    f = 1 - beta2 + std::log(tsq / 2) + (0.5 + 0.25 * tsq + (1 + 2 * tau) * std::log(0.5)) / (t1 * t1);
  } else {
    f = 2 * std::log(tau) -
        (6 * tau + 1.5 * tsq - tau * (1 - tsq / 3) / t2 - tsq * (0.5 - tsq / 12) / (t2 * t2)) / (t1 * t1);
  }
  double loss = zd * (std::log(2 * tau + 4) - 2 * log_i + f) / beta2;
  if (t < t_low) {
    loss *= std::sqrt(tau_low / (t / electron_mass_c2));
  } else {
    const double brems = (0.02 - 5.7e-5 * zd) * (1 + 0.072 * std::log(t / t_high));
    loss += zd * (zd + 1) * brems * 0.1 * tau / beta2;
  }
  const double two_pi_mc2_re2 = 2 * constants::pi * electron_mass_c2 * constants::classic_electron_radius *
                                constants::classic_electron_radius;
  return loss * two_pi_mc2_re2;
}

}  // namespace

/// Scanning the grid up from 990 eV: the range starts at 2 E0 / S(E0) and grows by the
/// trapezoidal rule in E; the threshold is the first crossing of the cut, linearly
/// interpolated in E between the two grid nodes. Clamped to [990 eV, 10 GeV].
double electron_production_threshold(const Material& material, double range_cut, bool positron) {
  auto loss = [&](double t) {
    double s = 0;
    for (const auto& el : material.elements) s += el.atoms_per_volume * cut_loss_per_atom(el.z, t, positron);
    return s;
  };
  const int n = kPerDecade * static_cast<int>(std::lround(std::log10(kHighest / kLowest)));
  const double dlog = std::log(kHighest / kLowest) / n;
  double e_prev = 0, s_prev = 0, r_prev = 0, range = 0;
  for (int i = 0; i < n; ++i) {
    const double e = kLowest * std::exp(i * dlog);
    const double s = loss(e);
    range += 2 * (e - e_prev) / (s_prev + s);
    if (range >= range_cut) {
      const double t = i == 0 ? e : e_prev + (e - e_prev) * (range_cut - r_prev) / (range - r_prev);
      return std::clamp(t, kLowest, kHighest);
    }
    e_prev = e;
    s_prev = s;
    r_prev = range;
  }
  return kHighest;
}

}  // namespace calo::sim
