#pragma once
// One observable in one energy bin: the four plotted series (reference, candidate, reference
// halves A and B), the metrics candidate vs reference, the baseline A vs B, the expectation
// and the verdict.
#include <array>
#include <vector>

#include "physics/observables.hh"
#include "physics/sample_accumulator.hh"
#include "physics/validation.hh"

namespace calo::physics {

/// The two halves of the reference in one baseline split (baseline_splits.hh).
using SplitHalves = std::array<SampleAccumulator, 2>;

/// The accumulated samples of one energy bin: reference and candidate with their per-event
/// values, and the reference halves of every baseline split (sums only; split 0 also keeps
/// its values).
struct BinSamples {
  const SampleAccumulator& reference;
  const SampleAccumulator& candidate;
  const std::vector<SplitHalves>& splits;
};

/// Compares one catalogue observable (Source scalar, profile or spectrum).
ObservableResult compare_observable(const ObservableSpec& spec, const BinSamples& samples,
                                    const ProfileLayout& layout);

/// The mean sampled fraction per energy bin (the bins whose samples are given, with their
/// centres [GeV]), over the bins where reference and candidate both hold min_events.
ObservableResult compare_fraction_vs_energy(const std::vector<double>& centres_gev,
                                            const std::vector<BinSamples>& bins, std::uint64_t min_events);

}  // namespace calo::physics
