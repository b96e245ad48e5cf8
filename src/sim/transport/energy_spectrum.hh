#pragma once
// Primary energies of a run: "100" (fixed), "10,50,100" (cycled in event order, so every
// value gets the same number of events), "2:500" (uniform in [2, 500]). Values in GeV as the
// user writes them; energy_of() returns MeV.
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.hh"

namespace calo::sim {

class EnergySpectrum {
 public:
  /// Parses the CLI form; InputError for empty, non-numeric, non-positive, NaN or inverted.
  static EnergySpectrum parse(const std::string& text);
  /// Primary kinetic energy of event `index` [MeV] (draws from rng only for ranges).
  double energy_of(std::uint64_t index, Rng& rng) const;
  double min_gev() const;
  double max_gev() const;
  const std::string& text() const { return text_; }
  /// InputError unless every energy lies in [min_mev, max_mev], the range the physics tables
  /// cover (PhysicsConfig::table_min_energy/table_max_energy): beyond it the transport would
  /// read outside its tables or never finish (1e9 GeV).
  void check_within(double min_mev, double max_mev) const;

 private:
  std::string text_;
  std::vector<double> values_gev_;  ///< fixed list; empty for a range
  double lo_gev_ = 0, hi_gev_ = 0;
};

}  // namespace calo::sim
