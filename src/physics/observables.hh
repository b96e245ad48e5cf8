#pragma once
// The catalogue of observables compared in every energy bin (docs/validation.md): names,
// labels, kind, whether they measure the energy scale or only the shape, and where their
// per-event values come from.
#include <vector>

#include "physics/shower_features.hh"

namespace calo::physics {

/// Where an observable's data lives in a SampleAccumulator.
enum class Source {
  scalar,             ///< values[index]: a distribution over events
  profile,            ///< profile slice `index` (Profile): a mean over events
  spectrum,           ///< the cell-energy spectrum: a distribution over cells
  fraction_vs_energy  ///< mean sampled fraction per energy bin ("all" bin only)
};

struct ObservableSpec {
  const char* name;
  const char* title;
  const char* x_label;
  const char* y_label;
  bool log_x, log_y, is_profile;
  bool shape;  ///< true: independent of the energy scale (shape); false: energy observable
  Source source;
  int index;
};

/// The observables of every energy bin, in report order.
const std::vector<ObservableSpec>& observable_catalogue();
/// The mean sampled fraction vs primary energy, a profile over the energy bins.
const ObservableSpec& fraction_vs_energy_spec();

}  // namespace calo::physics
