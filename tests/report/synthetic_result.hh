#pragma once
// A made-up ValidationResult with the shape of a real one (distributions and profiles, log
// axes, an empty bin, awkward text), so the report can be tested without the physics module.
#include "physics/validation.hh"

namespace calo::report::test {

struct SyntheticOptions {
  int bins = 3;               ///< compared energy bins (plus one empty bin and "all")
  bool awkward_text = false;  ///< titles, labels and paths with HTML/gnuplot special characters
  bool classifier = true;     ///< a finished classifier test (else skipped for too few showers)
};

physics::ValidationResult synthetic_result(const SyntheticOptions& options = {});

/// Number of plots the report draws for result (observables of the non-empty bins, and the ROC
/// curves of a finished classifier test).
std::size_t plot_count(const physics::ValidationResult& result);

}  // namespace calo::report::test
